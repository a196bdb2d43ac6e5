import { huggingFaceOrigin } from "./base-url.js";

/** What one HTTP request is, for the governor: its quota bucket, provider, model and breaker. */
export interface RequestClassification {
  /** The quota bucket: `api` (Hub API), `resolvers` (files), `pages`, or `inference`. */
  readonly requestClass: "api" | "resolvers" | "pages" | "inference";
  /** `gen_ai.operation.name`: `chat`, `text_completion`, `embeddings`, `hub_lookup`, … */
  readonly operation: string;
  /** The routed provider (`together`, `hf-inference`, `auto` for the router's own choice). */
  readonly provider: string | undefined;
  /** The Hub model id when the URL or body names it. */
  readonly model: string | undefined;
  /** The circuit breaker to go through: the provider for inference, `hub` for the Hub. */
  readonly breakerKey: string;
}

const HUB_BREAKER = "hub";

function hub(path: string, method: string): RequestClassification {
  const base = { provider: undefined, breakerKey: HUB_BREAKER } as const;
  const models = /^\/api\/models\/(.+?)(?:\/revision\/.*)?$/.exec(path);
  if (models) return { ...base, requestClass: "api", operation: "hub_lookup", model: models[1] };
  if (path.startsWith("/api/"))
    return { ...base, requestClass: "api", operation: "hub_api", model: undefined };
  const resolve = /^\/(.+?)\/resolve\/[^/]+\/.+$/.exec(path);
  if (resolve) return { ...base, requestClass: "resolvers", operation: "hub_file", model: resolve[1] };
  if (method === "GET" || method === "HEAD")
    return { ...base, requestClass: "pages", operation: "hub_page", model: path.slice(1) || undefined };
  return { ...base, requestClass: "api", operation: "hub_api", model: undefined };
}

function operationOf(path: string, pipeline: string | undefined): string {
  if (/\/chat\/completions$/.test(path)) return "chat";
  if (/\/completions$/.test(path)) return "text_completion";
  if (/\/embeddings$/.test(path) || pipeline === "feature-extraction" || pipeline === "sentence-similarity")
    return "embeddings";
  return pipeline?.replaceAll("-", "_") ?? "inference";
}

// `model:provider` (and the router's `:fastest` / `:cheapest` policies) in an auto-routed body.
function splitModel(model: string | undefined): { model: string | undefined; suffix: string | undefined } {
  if (model === undefined) return { model, suffix: undefined };
  const colon = model.lastIndexOf(":");
  return colon > 0
    ? { model: model.slice(0, colon), suffix: model.slice(colon + 1) }
    : { model, suffix: undefined };
}

function router(path: string, bodyModel: string | undefined): RequestClassification {
  const inference = (provider: string, model: string | undefined, operation: string) =>
    ({ requestClass: "inference", operation, provider, model, breakerKey: provider }) as const;
  if (path === "/v1/chat/completions" || path === "/v1/completions" || path === "/v1/embeddings") {
    const { model, suffix } = splitModel(bodyModel);
    const provider = suffix === undefined || suffix === "fastest" || suffix === "cheapest" ? "auto" : suffix;
    return inference(provider, model, operationOf(path, undefined));
  }
  const hf = /^\/hf-inference\/models\/(.+?)(\/v1\/.+|\/pipeline\/([^/]+))?$/.exec(path);
  if (hf) return inference("hf-inference", hf[1], operationOf(hf[2] ?? "", hf[3]));
  const legacy = /^\/models\/(.+?)(?:\/pipeline\/([^/]+))?$/.exec(path);
  if (legacy) return inference("hf-inference", legacy[1], operationOf("", legacy[2]));
  const provider = /^\/([^/]+)(\/.*)?$/.exec(path);
  // A partner route names the model by its provider-side id: keep it, it is what was asked for.
  if (provider?.[1]) return inference(provider[1], bodyModel, operationOf(provider[2] ?? "", undefined));
  return inference("auto", bodyModel, "inference");
}

/**
 * Classifies a request by its URL (and the `model` of its JSON body, when known):
 * `huggingface.co/api/…` → `api`, `…/resolve/…` → `resolvers`, other Hub GETs → `pages`,
 * the router and hf-inference → `inference` with one breaker per provider. Any other
 * host (an Inference Endpoint, an OpenAI-compatible server) is `inference` with the host
 * as provider and breaker key, unless it is `sameOriginAs` (a `baseUrl` standing for
 * Hugging Face), whose paths are read like Hugging Face's.
 *
 * @example
 * classifyRequest("https://huggingface.co/api/models/gpt2?expand[]=inferenceProviderMapping", "GET");
 * // { requestClass: "api", operation: "hub_lookup", model: "gpt2", provider: undefined, breakerKey: "hub" }
 */
export function classifyRequest(
  url: string,
  method = "GET",
  bodyModel?: string,
  sameOriginAs?: string,
): RequestClassification {
  const verb = method.toUpperCase();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      requestClass: "inference",
      operation: "inference",
      provider: undefined,
      model: bodyModel,
      breakerKey: "unknown",
    };
  }
  const path = decodeSafely(parsed.pathname).replace(/\/+$/, "") || "/";
  const origin = huggingFaceOrigin(url);
  if (origin === "https://huggingface.co") return hub(path, verb);
  if (origin !== undefined) return router(path, bodyModel);
  if (sameOriginAs !== undefined && (url === sameOriginAs || url.startsWith(`${sameOriginAs}/`))) {
    const rest = decodeSafely(new URL(url.slice(sameOriginAs.length) || "/", "http://x").pathname);
    const local = rest.replace(/\/+$/, "") || "/";
    // One origin serves both families: Hub paths are the GETs and `/api/`; everything else is the router's.
    if (local.startsWith("/api/") || (verb !== "POST" && !local.startsWith("/v1/"))) return hub(local, verb);
    return router(local, bodyModel);
  }
  const host = parsed.host;
  const endpoint = host.endsWith(".endpoints.huggingface.cloud");
  return {
    requestClass: "inference",
    operation: operationOf(path, undefined),
    provider: endpoint ? "hf-endpoint" : host,
    model: bodyModel,
    breakerKey: host,
  };
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
