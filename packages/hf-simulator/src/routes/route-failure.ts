import type { RouteFailure } from "../catalogue.js";
import type { InferenceContext } from "./context.js";

/** Answers a routing failure: 404 for an unknown model, 400 for a provider that does not serve it. */
export function routeFailure(ctx: InferenceContext, failure: RouteFailure): void {
  if (failure.kind === "model-not-found") {
    ctx.fail(404, `The requested model '${failure.modelId}' does not exist.`, "model_not_found");
    return;
  }
  ctx.fail(
    400,
    `The requested model '${failure.modelId}' is not supported by provider '${failure.provider}'.`,
    "model_not_supported",
  );
}
