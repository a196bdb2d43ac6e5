/** The Hugging Face origins a `baseUrl` replaces: the Hub, the router and the legacy Inference API. */
export const HUGGING_FACE_ORIGINS: readonly string[] = [
  "https://huggingface.co",
  "https://router.huggingface.co",
  "https://api-inference.huggingface.co",
];

/**
 * Validates a `baseUrl` option and returns it without trailing slashes.
 * Throws ``TypeError("Expected `baseUrl` to be …")`` for anything but an absolute http(s) URL.
 */
export function normalizeBaseUrl(baseUrl: unknown): string {
  let parsed: URL | undefined;
  if (typeof baseUrl === "string") {
    try {
      parsed = new URL(baseUrl);
    } catch {
      parsed = undefined;
    }
  }
  if (
    !parsed ||
    (parsed.protocol !== "http:" && parsed.protocol !== "https:") ||
    parsed.search ||
    parsed.hash
  )
    throw new TypeError(
      `Expected \`baseUrl\` to be an absolute http(s) URL without query or fragment, got \`${String(baseUrl)}\` (${typeof baseUrl})`,
    );
  return (baseUrl as string).replace(/\/+$/, "");
}

/** The Hugging Face origin `url` starts with, if any. */
export function huggingFaceOrigin(url: string): string | undefined {
  return HUGGING_FACE_ORIGINS.find((o) => url === o || url.startsWith(`${o}/`) || url.startsWith(`${o}?`));
}

/**
 * Sends a Hugging Face URL to `baseUrl`, path and query unchanged; other URLs are returned
 * as they are. The simulator serves the Hub's and the router's paths on one origin, and so
 * does a path-preserving proxy.
 *
 * @example
 * rewriteBaseUrl("https://router.huggingface.co/v1/chat/completions", "http://127.0.0.1:8080");
 * // "http://127.0.0.1:8080/v1/chat/completions"
 */
export function rewriteBaseUrl(url: string, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return url;
  const origin = huggingFaceOrigin(url);
  return origin === undefined ? url : baseUrl + url.slice(origin.length);
}
