import type { CallServer } from "./telemetry-labels.js";

/**
 * `server.address` and `server.port` of a URL, as the HTTP conventions derive them: its
 * host, and its port or the scheme's default (443 for `https:`, 80 for `http:`; none for
 * another scheme). `undefined` for a string that is not a URL or a URL without a host.
 * Never throws.
 *
 * @example
 * serverOfUrl("https://router.huggingface.co/v1/chat/completions");
 * // { address: "router.huggingface.co", port: 443 }
 */
export function serverOfUrl(url: string | URL): CallServer | undefined {
  try {
    const u = typeof url === "string" ? new URL(url) : url;
    if (!u.hostname) return undefined;
    const port = u.port
      ? Number(u.port)
      : u.protocol === "https:"
        ? 443
        : u.protocol === "http:"
          ? 80
          : undefined;
    return { address: u.hostname, port };
  } catch {
    return undefined;
  }
}
