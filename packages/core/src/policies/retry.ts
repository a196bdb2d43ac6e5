import type { ErrorVerdict } from "../classify.js";
import { FUSED, type PipelineContext, STEP } from "../compose.js";
import { isThrottledError, ThrottledError } from "../errors.js";
import type { Next, Policy, PolicyContext, PolicyKit } from "../policy.js";
import { resolveRetry } from "../policy-options.js";
import { RetryBudget, type RetryOptions, retryDelay } from "../retry.js";

// A 429 that outlived its retries is a throttle the caller should see as one.
function final(
  error: unknown,
  verdict: ErrorVerdict,
  ctx: PolicyContext,
  hintMs: number | undefined,
): unknown {
  if (verdict.reason !== "rate_limited" || isThrottledError(error)) return error;
  return new ThrottledError("The upstream kept answering 429 (rate limited)", ctx.requestClass, {
    cause: error,
    retryAfterMs: hintMs ?? verdict.retryAfterMs,
  });
}

class RetryPolicy implements Policy {
  readonly name = "retry";
  readonly retries = true;
  readonly #options: RetryOptions;
  readonly #budget: RetryBudget | undefined;

  constructor(options: RetryOptions, budget: RetryBudget | undefined) {
    this.#options = options;
    this.#budget = budget;
  }

  // A retry past the swarm's budget waits for room, bucket by bucket, while the call's
  // deadline (less the retry's own delay) allows; false when it never came.
  async #room(ctx: PolicyContext, delay: number): Promise<boolean> {
    const budget = this.#budget!;
    while (!budget.tryRetry()) {
      if (ctx.settled || ctx.now() + budget.bucketMs + delay >= ctx.deadline) return false;
      await ctx.sleep(budget.bucketMs);
    }
    return !ctx.settled;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  [FUSED]<T>(next: Next<T>): Next<T> {
    return (ctx) => {
      this.#budget?.recordCall(ctx.now());
      (ctx as PipelineContext).recoverWith(this, next as Next<unknown>);
      return next(ctx);
    };
  }

  // The first attempt's success costs one `then`; the loop of later attempts is `recover`.
  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    this.#budget?.recordCall(ctx.now());
    return next(ctx).then(undefined, (error: unknown) => this.recover(ctx, next, error));
  }

  /**
   * After a failed attempt: wait and try again while the error is retryable, else rethrow
   * it. Throttles (429, a model loading) count apart from other failures: the server paces them.
   */
  async recover<T>(ctx: PolicyContext, next: Next<T>, error: unknown): Promise<T> {
    const o = this.#options;
    let throttled = 0;
    for (;;) {
      if (ctx.settled) throw error;
      const verdict = ctx.classify(error);
      // What this attempt's response said (observed, in wall time) wins over the error's copy.
      const hint = ctx.takeRetryHint();
      const throttle = verdict.reason === "rate_limited" || verdict.reason === "loading";
      if (throttle) throttled++;
      const spent = throttle
        ? o.maxAttempts === 1 || throttled >= o.maxThrottledAttempts
        : ctx.attempt - throttled >= o.maxAttempts;
      if (!verdict.retryable || spent) throw final(error, verdict, ctx, hint);
      const delay = retryDelay(ctx.attempt, o, hint ?? verdict.retryAfterMs);
      if (ctx.now() + delay > ctx.deadline) throw final(error, verdict, ctx, hint);
      if (!throttle && this.#budget && !(await this.#room(ctx, delay)))
        throw final(error, verdict, ctx, hint);
      ctx.reporter.retrying(ctx.attempt, verdict.reason, delay, error);
      await ctx.sleep(delay);
      if (ctx.settled) throw ctx.cancelReason;
      try {
        return await next(ctx);
      } catch (failed) {
        error = failed;
      }
    }
  }
}

/**
 * Retries with exponential backoff and full jitter, capped; the server's hint (`Retry-After`,
 * a 429's `RateLimit` reset) wins; a swarm-wide retry budget stops retry storms; a wait past
 * the call's deadline is not started. Each call of its `next` is one attempt, and every
 * attempt takes its own permits (a retry costs quota on Hugging Face too).
 *
 * @example
 * createGovernor({ policies: (defaults, kit) => defaults.map((p) => (p.name === "retry" ? retryPolicy(kit, { maxAttempts: 3 }) : p)) });
 */
export function retryPolicy(kit: PolicyKit, options: Partial<RetryOptions> | false = {}): Policy {
  const o = resolveRetry(options);
  const budget = o.budget ? new RetryBudget(o.budget, kit.clock) : undefined;
  return new RetryPolicy(o, budget);
}
