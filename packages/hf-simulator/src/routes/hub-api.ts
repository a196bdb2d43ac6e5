import type { ServerResponse } from "node:http";
import type { Identity } from "../auth.js";
import type { CatalogueModel } from "../catalogue.js";
import { errorBody, sendJson } from "../http.js";
import { hashString } from "../random.js";
import type { SimulatorState } from "../state.js";

const PIPELINE_TAGS: Record<CatalogueModel["task"], string> = {
  conversational: "text-generation",
  "text-generation": "text-generation",
  "feature-extraction": "sentence-similarity",
};

const objectId = (id: string): string => hashString(id).toString(16).padStart(8, "0").repeat(3);

/**
 * The provider mapping in the shape `@huggingface/inference` v4 reads
 * (`fetchInferenceProviderMappingForModel`): an object keyed by provider, each with
 * `providerId`, `status` and `task`; the client adds `hfModelId` itself.
 */
export function providerMapping(
  model: CatalogueModel,
): Record<string, { providerId: string; status: string; task: string }> {
  return Object.fromEntries(
    model.providers.map((p) => [
      p.provider,
      { providerId: p.providerId, status: p.status ?? "live", task: model.task },
    ]),
  );
}

/**
 * `GET /api/models/{id}`. With `expand[]=…` the Hub returns only `_id`, `id` and the
 * expanded fields; without, a short model card summary.
 */
export function handleModelInfo(
  state: SimulatorState,
  res: ServerResponse,
  modelId: string,
  expand: readonly string[],
  headers: Record<string, string>,
) {
  const model = state.catalogue.get(modelId);
  if (!model)
    return sendJson(res, 404, errorBody("hf", 404, "Repository not found"), {
      ...headers,
      "x-error-code": "RepoNotFound",
    });
  const base = { _id: objectId(model.id), id: model.id };
  if (expand.length > 0) {
    const body: Record<string, unknown> = { ...base };
    if (expand.includes("inferenceProviderMapping")) body.inferenceProviderMapping = providerMapping(model);
    if (expand.includes("pipeline_tag")) body.pipeline_tag = PIPELINE_TAGS[model.task];
    return sendJson(res, 200, body, headers);
  }
  const [author] = model.id.split("/");
  sendJson(
    res,
    200,
    {
      ...base,
      modelId: model.id,
      author,
      private: false,
      gated: false,
      disabled: false,
      pipeline_tag: PIPELINE_TAGS[model.task],
      library_name: model.task === "feature-extraction" ? "sentence-transformers" : "transformers",
      tags: [PIPELINE_TAGS[model.task], model.task === "conversational" ? "conversational" : model.task],
      downloads: 1000 + (hashString(model.id) % 100000),
      likes: hashString(model.id) % 5000,
    },
    headers,
  );
}

/** `GET /api/whoami-v2`: the token's user, with `isPro` and orgs from the options. */
export function handleWhoami(
  state: SimulatorState,
  res: ServerResponse,
  identity: Identity,
  headers: Record<string, string>,
) {
  if (identity.tier === "anonymous")
    return sendJson(res, 401, errorBody("hf", 401, "Invalid credentials in Authorization header"), headers);
  const orgs = (identity.token?.orgs ?? []).map((name) => ({
    type: "org",
    name,
    fullname: name,
    plan: state.options.orgs[name]?.tier ?? "team",
    roleInOrg: "write",
  }));
  sendJson(
    res,
    200,
    {
      type: "user",
      id: objectId(identity.key),
      name: `sim-${identity.tier}-user`,
      fullname: `Simulated ${identity.tier} user`,
      isPro: identity.tier === "pro",
      canPay: identity.tier !== "free",
      plan: identity.tier,
      orgs,
      auth: { type: "access_token", accessToken: { displayName: identity.key, role: "read" } },
    },
    headers,
  );
}

/** `GET|HEAD /{id}/resolve/{revision}/{file}` (bucket `resolvers`): small deterministic files. */
export function handleResolve(
  state: SimulatorState,
  res: ServerResponse,
  modelId: string,
  file: string,
  method: string,
  headers: Record<string, string>,
) {
  const model = state.catalogue.get(modelId);
  if (!model)
    return sendJson(res, 404, errorBody("hf", 404, "Repository not found"), {
      ...headers,
      "x-error-code": "RepoNotFound",
    });
  const text = file.endsWith(".json")
    ? JSON.stringify({
        _name_or_path: model.id,
        model_type: "simulated",
        hidden_size: model.dimensions ?? 4096,
      })
    : `simulated file ${file} of ${model.id}\n`;
  res.writeHead(200, {
    ...headers,
    "content-type": file.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    etag: `"${hashString(model.id + file).toString(16)}"`,
    "x-repo-commit": objectId(model.id).slice(0, 40),
  });
  res.end(method === "HEAD" ? undefined : text);
}

/** `GET /{id}` (bucket `pages`): a tiny HTML model page. */
export function handlePage(
  state: SimulatorState,
  res: ServerResponse,
  modelId: string,
  headers: Record<string, string>,
) {
  const model = state.catalogue.get(modelId);
  const status = model ? 200 : 404;
  const html = model
    ? `<!doctype html><title>${model.id}</title><h1>${model.id}</h1><p>Simulated model page (${model.task}).</p>`
    : "<!doctype html><title>404</title><h1>404</h1>";
  res.writeHead(status, {
    ...headers,
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(html)),
  });
  res.end(html);
}
