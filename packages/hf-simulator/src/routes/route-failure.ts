import type { RouteFailure } from "../catalogue.js";
import type { InferenceContext } from "./context.js";

/**
 * Answers a routing failure: 404 for an unknown model, 400 for a provider that does not
 * serve it, 503 when the provider (or every provider of the model) is unavailable.
 */
export function routeFailure(ctx: InferenceContext, failure: RouteFailure): void {
  if (failure.kind === "model-not-found") {
    ctx.fail(404, `The requested model '${failure.modelId}' does not exist.`, "model_not_found");
    return;
  }
  if (failure.kind === "provider-unavailable") {
    ctx.fail(
      503,
      `Provider '${failure.provider}' is currently unavailable for model '${failure.modelId}'.`,
      "provider_unavailable",
    );
    return;
  }
  if (failure.kind === "no-provider-available") {
    ctx.fail(
      503,
      `No provider is currently available for model '${failure.modelId}'.`,
      "no_provider_available",
    );
    return;
  }
  ctx.fail(
    400,
    `The requested model '${failure.modelId}' is not supported by provider '${failure.provider}'.`,
    "model_not_supported",
  );
}
