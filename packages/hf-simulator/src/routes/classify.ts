import type { ErrorStyle } from "../http.js";
import type { Bucket } from "../tiers.js";

/** What a request asks for, decided from its method and path alone. */
export type Target =
  | { readonly kind: "admin"; readonly action: "stats" | "reset" | "faults" }
  | { readonly kind: "chat"; readonly pathProvider?: string; readonly pathModel?: string }
  | { readonly kind: "completions"; readonly modelId: string }
  | { readonly kind: "hf-task"; readonly modelId: string; readonly pipelineTask?: string }
  | { readonly kind: "model-info"; readonly modelId: string }
  | { readonly kind: "whoami" }
  | { readonly kind: "resolve"; readonly modelId: string; readonly file: string }
  | { readonly kind: "page"; readonly modelId: string }
  | { readonly kind: "endpoints"; readonly action: "create" | "list" }
  | { readonly kind: "endpoint"; readonly name: string; readonly call: "chat" | "completions" | "task" }
  | { readonly kind: "method-not-allowed" }
  | { readonly kind: "not-found" };

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Maps a request to its {@link Target}. */
export function classify(method: string, pathname: string): Target {
  const path = pathname.split("/").map(decode).join("/").replace(/\/+$/, "") || "/";
  const post = method === "POST";
  const get = method === "GET" || method === "HEAD";
  const wrongMethod = { kind: "method-not-allowed" } as const;
  if (path.startsWith("/__sim/")) {
    const action = path.slice("/__sim/".length);
    if (action === "stats") return get ? { kind: "admin", action } : wrongMethod;
    if (action === "reset" || action === "faults") return post ? { kind: "admin", action } : wrongMethod;
    return { kind: "not-found" };
  }
  if (path === "/v1/chat/completions") return post ? { kind: "chat" } : wrongMethod;
  if (path === "/endpoints") {
    if (post) return { kind: "endpoints", action: "create" };
    return get ? { kind: "endpoints", action: "list" } : wrongMethod;
  }
  const endpoint = /^\/endpoints\/([^/]+)(\/v1\/chat\/completions|\/v1\/completions)?$/.exec(path);
  if (endpoint) {
    if (!post) return wrongMethod;
    const call =
      endpoint[2] === undefined ? "task" : endpoint[2].endsWith("chat/completions") ? "chat" : "completions";
    return { kind: "endpoint", name: endpoint[1]!, call };
  }
  const hf =
    /^\/hf-inference\/models\/(.+?)(\/v1\/chat\/completions|\/v1\/completions|\/pipeline\/([^/]+))?$/.exec(
      path,
    );
  if (hf) {
    if (!post) return wrongMethod;
    const [, modelId = "", suffix, task] = hf;
    if (suffix === "/v1/chat/completions")
      return { kind: "chat", pathProvider: "hf-inference", pathModel: modelId };
    if (suffix === "/v1/completions") return { kind: "completions", modelId };
    return task ? { kind: "hf-task", modelId, pipelineTask: task } : { kind: "hf-task", modelId };
  }
  // Each provider keeps its own API path behind the router (`/together/v1/chat/completions`,
  // `/novita/v3/openai/chat/completions`, `/fireworks-ai/inference/v1/chat/completions`, …).
  const provider = /^\/([^/_][^/]*)\/(?:.+\/)?chat\/completions$/.exec(path);
  if (provider) return post ? { kind: "chat", pathProvider: provider[1]! } : wrongMethod;
  if (path === "/api/whoami-v2") return get ? { kind: "whoami" } : wrongMethod;
  if (path.startsWith("/api/models/"))
    return get ? { kind: "model-info", modelId: path.slice(12) } : wrongMethod;
  const resolve = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path);
  if (resolve) return get ? { kind: "resolve", modelId: resolve[1]!, file: resolve[2]! } : wrongMethod;
  if (get && /^\/[^/_][^/]*(\/[^/]+)?$/.test(path) && !path.startsWith("/api"))
    return { kind: "page", modelId: path.slice(1) };
  return { kind: "not-found" };
}

/** The rate-limit bucket of a target, if it is limited. */
export function bucketOf(target: Target): Bucket | undefined {
  switch (target.kind) {
    case "chat":
    case "completions":
    case "hf-task":
      return "inference";
    case "model-info":
    case "whoami":
      return "api";
    case "resolve":
      return "resolvers";
    case "page":
      return "pages";
    default:
      return undefined;
  }
}

/** Error body style: OpenAI-style on the router's OpenAI endpoints, `{ error }` elsewhere. */
export function styleOf(target: Target): ErrorStyle {
  return target.kind === "chat" && target.pathProvider !== "hf-inference" ? "router" : "hf";
}
