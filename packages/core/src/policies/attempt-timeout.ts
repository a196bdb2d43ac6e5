import { shippedPolicy } from "../compose.js";
import type { Policy } from "../policy.js";
import { expectInteger } from "../validate.js";

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
  const timeoutMs = expectInteger("attemptTimeoutMs", ms, 1, true);
  return shippedPolicy({
    name: "attempt-timeout",
    execute(ctx, next) {
      ctx.armAttemptTimeout(ctx.info.attemptTimeoutMs ?? timeoutMs);
      return next(ctx);
    },
  });
}
