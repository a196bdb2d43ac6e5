import { isPromise } from "../is-promise.js";
import type { PolicyKit } from "../policy.js";
import type { QuotaGate } from "../quota-gate.js";
import type { WindowGroup } from "../quota-store.js";
import type { ServerFeedback } from "../server-feedback.js";

const quiet = (done: unknown) => {
  if (isPromise(done)) Promise.resolve(done).catch(() => {});
};

/**
 * Applies a response's headers to the windows: each `RateLimit` policy name picks its
 * request class (else the call's); remaining, reset and the real quota correct the window;
 * a 429 empties it until its reset. A 429 with only `Retry-After` empties the call's class
 * for that long; with no header at all (some routed providers) the windows are left alone
 * and backoff does the work. Waiting callers are re-examined at once. Returns the longest
 * reset of an exhausted window, the wait a 429 implies.
 */
export function learnWindows(
  feedback: ServerFeedback,
  requestClass: string,
  groups: ReadonlyMap<string, WindowGroup>,
  gates: ReadonlyMap<string, QuotaGate>,
  kit: PolicyKit,
): number | undefined {
  const now = kit.clock.now();
  const exhausted = feedback.status === 429;
  const touched = new Set<string>();
  let hint: number | undefined;
  for (const limit of feedback.limits) {
    const cls = groups.has(limit.policy) ? limit.policy : requestClass;
    const group = groups.get(cls);
    if (!group) continue;
    touched.add(cls);
    const correction = {
      remaining: limit.remaining,
      resetMs: limit.resetMs,
      quota: limit.quota,
      windowMs: limit.windowMs,
      exhausted: exhausted && limit.remaining === 0,
    };
    quiet(group.correct(correction, now));
    if (correction.exhausted && limit.resetMs !== undefined) hint = Math.max(hint ?? 0, limit.resetMs);
    kit.events.emit("quotaCorrected", { requestClass: cls, ...correction });
  }
  if (exhausted && feedback.limits.length === 0 && feedback.retryAfterMs !== undefined) {
    const group = groups.get(requestClass);
    if (group) {
      quiet(group.correct({ exhausted: true, resetMs: feedback.retryAfterMs }, now));
      touched.add(requestClass);
    }
  }
  for (const cls of touched) gates.get(cls)?.kick();
  return hint;
}
