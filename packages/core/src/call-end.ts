import type { Attributes } from "@opentelemetry/api";
import type { CallHost } from "./call-host.js";
import { type ErrorVerdict, statusOf } from "./classify.js";
import { BudgetExceededError, isBudgetExceededError, isSwarmgateError } from "./errors.js";
import type {
  AttemptEndListener,
  CallEndListener,
  Policy,
  PolicyContext,
  Reporter,
  UsageTotals,
} from "./policy.js";
import type { QuotaStore } from "./quota-store.js";
import { redactError } from "./redact.js";
import { ATTR, type Outcome } from "./semconv.js";

/** The outcome a settled call is counted under. */
export function outcomeOf(error: unknown, verdict: ErrorVerdict | undefined): Outcome {
  let ours = false;
  try {
    ours = isSwarmgateError(error);
  } catch {
    // a revoked proxy: not one of ours
  }
  if (ours) {
    switch ((error as { code: string }).code) {
      case "budget_exceeded":
        return "budget_exceeded";
      case "circuit_open":
        return "circuit_open";
      case "queue_full":
        return "queue_full";
      case "throttled":
        return "rate_limited";
      case "timeout":
        return "timeout";
      case "closed":
        return "closed";
    }
  }
  if (verdict?.reason === "aborted") return "aborted";
  if (verdict?.reason === "rate_limited") return "rate_limited";
  return "error";
}

/** What a call's span says at its end (recording spans only: nobody reads them otherwise). */
export function callSpanAttributes(
  ctx: PolicyContext,
  attempts: number,
  throttleWaitMs: number,
  cost: number,
  usage: UsageTotals | undefined,
  store: QuotaStore,
  describers: readonly Policy[],
): Attributes {
  const attrs: Attributes = {
    [ATTR.SWARMGATE_ATTEMPTS]: attempts,
    [ATTR.SWARMGATE_THROTTLE_WAIT]: throttleWaitMs / 1000,
    [ATTR.SWARMGATE_REQUEST_CLASS]: ctx.requestClass,
    [ATTR.SWARMGATE_QUOTA_REMAINING]: -1,
  };
  if (store.status) attrs[ATTR.SWARMGATE_STORE_FALLBACK] = store.status === "fallback";
  if (cost > 0) attrs[ATTR.SWARMGATE_COST_USD] = cost;
  for (const policy of describers) {
    try {
      policy.describe?.(ctx, attrs);
    } catch {
      // a policy's description must not break the call's end
    }
  }
  if (usage && usage.inputTokens > 0) attrs[ATTR.GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
  if (usage && usage.outputTokens > 0) attrs[ATTR.GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
  if (usage?.responseModel) attrs[ATTR.GEN_AI_RESPONSE_MODEL] = usage.responseModel;
  return attrs;
}

/** A listener told at the call's end: an attempt listener outside any attempt, or a call listener. */
export type Told = [Partial<AttemptEndListener<unknown> & CallEndListener<unknown>>, unknown];

/** Tells a listener that the call ended; its failure does not stop the call's end. */
export function tellEnd(
  listener: Told[0],
  token: unknown,
  ctx: PolicyContext,
  outcome: Outcome,
  error: unknown,
  cost: number,
): void {
  try {
    if (listener.attemptEnded) listener.attemptEnded(token, outcome !== "success", error, ctx);
    else listener.callEnded?.(token, outcome, cost);
  } catch {
    // a listener's failure must not keep the call from ending
  }
}

/**
 * What the upstream's answer to an attempt means for the call: a 429 or 503 is a throttle;
 * a 402 means nobody else is sent but a probe now and then, decided before the attempt's
 * slot goes to the next caller, and becomes a BudgetExceededError. Whatever the error says
 * of a registered secret (an upstream echoing the token) is redacted before anyone sees it.
 */
export function upstreamError(
  call: Reporter & { readonly host: CallHost; classify(error: unknown): ErrorVerdict },
  error: unknown,
  ctx: PolicyContext,
): unknown {
  redactError(error);
  const verdict = call.classify(error);
  if (verdict.status === 429) call.throttled("server_429", 0);
  else if (verdict.status === 503) call.throttled("server_503", 0);
  if (verdict.reason !== "credits_exhausted" && statusOf(error) !== 402) return error;
  call.host.creditsExhausted.mark(ctx.requestClass);
  if (isBudgetExceededError(error)) return error;
  return new BudgetExceededError(
    "The upstream answered 402: credits exhausted",
    { status: 402 },
    { cause: error },
  );
}
