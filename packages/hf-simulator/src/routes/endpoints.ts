import type { IncomingMessage, ServerResponse } from "node:http";
import type { Identity } from "../auth.js";
import { endpointPath } from "../endpoints.js";
import { errorBody, parseJson, sendJson } from "../http.js";
import { resolveEndpoint } from "../resolve-providers.js";
import type { SimulatorState } from "../state.js";
import { handleChatCompletions } from "./chat-completions.js";
import { InferenceContext } from "./context.js";
import { handleCompletions, handleHfTask } from "./hf-inference.js";

/** `POST /endpoints` (create one from a JSON body of endpoint options) and `GET /endpoints` (list). */
export function handleEndpointsApi(
  state: SimulatorState,
  res: ServerResponse,
  action: "create" | "list",
  text: string,
  headers: Record<string, string>,
) {
  if (action === "list")
    return sendJson(res, 200, { items: Object.values(state.endpoints.stats()) }, headers);
  const parsed = parseJson(text);
  if (!parsed.ok)
    return sendJson(res, 400, errorBody("hf", 400, "Failed to parse the request body as JSON."), headers);
  let config: ReturnType<typeof resolveEndpoint>;
  try {
    config = resolveEndpoint(parsed.value as never, (id) => state.catalogue.get(id) !== undefined);
  } catch (error) {
    return sendJson(res, 400, errorBody("hf", 400, (error as Error).message), headers);
  }
  const created = state.endpoints.create(config);
  if (!created)
    return sendJson(
      res,
      409,
      errorBody("hf", 409, `An endpoint named '${config.name}' already exists.`),
      headers,
    );
  sendJson(
    res,
    201,
    { ...created.stats(), url: state.endpoints.baseUrl + endpointPath(config.name) },
    headers,
  );
}

/**
 * An inference call to an Inference Endpoint (`/endpoints/{name}`, plus `/v1/chat/completions`
 * or `/v1/completions`): no account window, spike detector, provider limit or credits, only
 * the endpoint's replicas. `X-Scale-Up-Timeout: <seconds>` holds a request through a cold start.
 */
export async function handleEndpointCall(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  identity: Identity,
  target: { readonly name: string; readonly call: "chat" | "completions" | "task" },
  text: string,
  headers: Record<string, string>,
): Promise<void> {
  const endpoint = state.endpoints.get(target.name);
  if (!endpoint)
    return sendJson(res, 404, errorBody("hf", 404, `Endpoint '${target.name}' not found.`), headers);
  const timeout = Number(req.headers["x-scale-up-timeout"]);
  const slot = await endpoint.acquire(Number.isFinite(timeout) && timeout >= 0 ? timeout * 1000 : undefined);
  if (!slot.ok) return sendJson(res, slot.status, errorBody("hf", slot.status, slot.message), headers);
  // A caller that left while queued gets its slot back at once: its "close" has fired already.
  if (res.destroyed) return slot.release();
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    slot.release();
    return end(...args);
  }) as ServerResponse["end"];
  res.once("close", slot.release);
  const model = state.catalogue.get(endpoint.config.model);
  if (!model) return sendJson(res, 500, errorBody("hf", 500, "Endpoint model missing."), headers);
  const provider = {
    provider: "hf-inference",
    providerId: model.id,
    inputPricePerMillion: 0,
    outputPricePerMillion: 0,
    tokensPerSecond: Number.POSITIVE_INFINITY,
  };
  const admitted = { ok: true as const, headers: {}, release: () => {} };
  const ctx = new InferenceContext(state, req, res, identity, admitted, "hf", headers, {
    route: { model, provider },
    latency: endpoint.config.latency,
  });
  const parsed = parseJson(text);
  if (!parsed.ok) return ctx.fail(400, "Failed to parse the request body as JSON.");
  if (target.call === "chat")
    return handleChatCompletions(ctx, parsed.value, { pathProvider: "hf-inference" });
  if (target.call === "completions") return handleCompletions(ctx, parsed.value, model.id);
  return handleHfTask(ctx, parsed.value, model.id, undefined);
}
