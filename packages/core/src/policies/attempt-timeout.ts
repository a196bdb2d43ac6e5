import { STEP } from "../compose.js";
import type { Next, Policy, PolicyContext } from "../policy.js";
import { expectDuration } from "../validate.js";

/**
 * Fails each attempt that runs longer than `ms` (or the call's `attemptTimeoutMs`) with a
 * `TimeoutError` of scope `"attempt"`, aborting the signal given to the call's function; the
 * retry policy may then try again. Innermost by default: waits for permits and slots do not
 * count. Placed outside any attempt (before retry) it does nothing.
 *
 * @example
 * createGovernor({ policies: (defaults) => [...defaults.filter((p) => p.name !== "attempt-timeout"), attemptTimeoutPolicy(5_000)] });
 */
export function attemptTimeoutPolicy(ms: number): Policy {
  return new AttemptTimeoutPolicy(expectDuration("attemptTimeoutMs", ms, 1, true));
}

class AttemptTimeoutPolicy implements Policy {
  readonly name = "attempt-timeout";
  readonly #ms: number;

  constructor(ms: number) {
    this.#ms = ms;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    ctx.armAttemptTimeout(ctx.info.attemptTimeoutMs ?? this.#ms);
    return next(ctx);
  }
}
