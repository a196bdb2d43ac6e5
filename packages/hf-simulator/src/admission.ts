import type { Identity } from "./auth.js";
import { formatRateLimit, formatRateLimitPolicy } from "./rate-limit-headers.js";
import type { CreditAccount, SimulatorState } from "./state.js";
import type { Bucket } from "./tiers.js";
import type { WindowDecision } from "./windows.js";

/** A request let through every gate. */
export interface Admitted {
  readonly ok: true;
  /** RateLimit headers for the response. */
  readonly headers: Record<string, string>;
  /** The credit account to charge (inference only). */
  readonly account?: CreditAccount;
  /** Frees the concurrency slot; call once the response is over. */
  readonly release: () => void;
}

/** A request refused by a gate. */
export interface Rejected {
  readonly ok: false;
  readonly status: number;
  readonly message: string;
  readonly code: string;
  readonly headers: Record<string, string>;
  /** Extra body fields (hf-inference style `estimated_time`). */
  readonly extra?: Record<string, unknown>;
  /** A body sent as is, whatever the route's error style (the flat 402). */
  readonly body?: unknown;
}

/** The 402 body Hugging Face sends on every route, router included: flat, not OpenAI-style. */
export const CREDITS_EXCEEDED_BODY = {
  error:
    "You have exceeded your monthly included credits for Inference Providers. Subscribe to PRO to get 20x more monthly included credits.",
} as const;

/** RateLimit and RateLimit-Policy headers for a window decision. */
export function rateLimitHeaders(decision: WindowDecision, bucket: Bucket, mode: "fixed" | "rolling") {
  return {
    RateLimit: formatRateLimit({
      bucket,
      remaining: decision.remaining,
      resetSeconds: decision.resetSeconds,
    }),
    "RateLimit-Policy": formatRateLimitPolicy({
      policy: `${mode} window`,
      bucket,
      quota: decision.quota,
      windowSeconds: decision.windowSeconds,
    }),
  };
}

/**
 * Runs a request through the gates, in this order: bill-to check (403), outage
 * (503/5xx), spike detector (503), concurrency cap (503), quota window (429), credits
 * (402). Only the window consumes quota, so every admitted request is one the window
 * allowed; the inference gates apply to the `inference` bucket only. Inference answers
 * carry `RateLimit` headers only with `inferenceRateLimitHeaders`, and only when the
 * bucket has a window.
 */
export function admit(
  state: SimulatorState,
  identity: Identity,
  bucket: Bucket,
  billTo: string | undefined,
): Admitted | Rejected {
  const now = state.time.now();
  const { key, tier } = identity;
  const windowKey = `${key}/${bucket}`;
  const quota = state.quota(identity, bucket);
  const mode = state.options.windowMode;
  const windowed = Number.isFinite(quota);
  const sendsHeaders = windowed && (bucket !== "inference" || state.options.inferenceRateLimitHeaders);
  const headersFor = (decision: WindowDecision): Record<string, string> =>
    sendsHeaders ? rateLimitHeaders(decision, bucket, mode) : {};
  state.stats.count(key, tier, bucket, "requests");
  const reject = (
    status: number,
    message: string,
    code: string,
    extra?: Record<string, unknown>,
  ): Rejected => ({
    ok: false,
    status,
    message,
    code,
    headers: sendsHeaders ? headersFor(state.windows.peek(windowKey, quota, now)) : {},
    ...(extra ? { extra } : {}),
  });
  let release = () => {};
  if (bucket === "inference") {
    if (billTo !== undefined) {
      const member = identity.token ? (identity.token.orgs ?? []).includes(billTo) : true;
      if (!Object.hasOwn(state.options.orgs, billTo) || !member)
        return reject(403, `You are not allowed to bill the organization '${billTo}'.`, "bill_to_forbidden");
    }
    const outage = state.faults.outageStatus(now);
    if (outage !== undefined)
      return reject(outage, outage === 503 ? "Service Unavailable" : "Internal Server Error", "outage");
    if (state.spikes?.arrive(key, now))
      return reject(
        503,
        "Service temporarily unavailable: sudden spike of traffic, ramp up progressively.",
        "spike",
      );
    if (!state.inFlight.tryAcquire(key, state.maxConcurrent(identity)))
      return reject(503, "Service temporarily unavailable: too many concurrent requests.", "overloaded");
    let released = false;
    release = () => {
      if (!released) state.inFlight.release(key);
      released = true;
    };
  }
  const decision = windowed ? state.windows.tryAdmit(windowKey, quota, now) : undefined;
  const headers: Record<string, string> = decision ? headersFor(decision) : {};
  if (decision && !decision.admitted) {
    release();
    if (state.random.chance(state.options.retryAfter)) headers["Retry-After"] = String(decision.resetSeconds);
    const message = `Rate limit reached for bucket "${bucket}": ${quota} requests per ${decision.windowSeconds}s window. Retry in ${decision.resetSeconds}s.`;
    return { ok: false, status: 429, message, code: "rate_limit_exceeded", headers };
  }
  state.stats.count(key, tier, bucket, "admitted");
  if (bucket !== "inference") return { ok: true, headers, release };
  const account = state.creditAccount(identity, billTo);
  if (!state.credits.canSpend(account.id, account.allowanceUsd, now)) {
    release();
    return {
      ok: false,
      status: 402,
      message: CREDITS_EXCEEDED_BODY.error,
      code: "insufficient_credits",
      headers,
      body: CREDITS_EXCEEDED_BODY,
    };
  }
  return { ok: true, headers, account, release };
}
