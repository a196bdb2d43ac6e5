/** The hosts whose requests a rewriting fetch sends to the simulator. */
export const HUGGING_FACE_ORIGINS: readonly string[] = [
  "https://huggingface.co",
  "https://router.huggingface.co",
];

/**
 * A `fetch` that sends every request for huggingface.co or router.huggingface.co to the
 * simulator at `baseUrl`, path and query unchanged. Pass it as the `fetch` option of an
 * unmodified `InferenceClient` (it is the client's seam for all HTTP, Hub look-ups
 * included) to run real client code against the simulator.
 *
 * @example
 * const client = new InferenceClient("hf_test_pro", { fetch: rewriteHuggingFaceFetch(sim.url) });
 */
export function rewriteHuggingFaceFetch(baseUrl: string, fetchImpl: typeof fetch = fetch): typeof fetch {
  const base = baseUrl.replace(/\/+$/, "");
  return (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const origin = HUGGING_FACE_ORIGINS.find(
      (o) => url === o || url.startsWith(`${o}/`) || url.startsWith(`${o}?`),
    );
    if (origin === undefined) return fetchImpl(input, init);
    const target = base + url.slice(origin.length);
    if (input instanceof Request) return fetchImpl(new Request(target, input), init);
    return fetchImpl(target, init);
  };
}
