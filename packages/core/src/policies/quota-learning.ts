import { isPromise } from "../is-promise.js";
import { windowFor } from "../memory-store.js";
import type { PolicyKit } from "../policy.js";
import type { QuotaGate } from "../quota-gate.js";
import type { WindowCorrection, WindowGroup, WindowSpec } from "../quota-store.js";
import type { ServerFeedback } from "../server-feedback.js";
import { boundCorrection } from "../server-wait.js";

const quiet = (done: unknown) => {
  if (isPromise(done)) Promise.resolve(done).catch(() => {});
};

/** One request class's windows, as the quota policy keeps them. */
export interface QuotaClass {
  readonly group: WindowGroup;
  readonly gate: QuotaGate;
  readonly specs: readonly WindowSpec[];
}

/**
 * Applies a response's headers to the windows: each `RateLimit` policy name picks its
 * request class (else the call's); remaining, reset and the real quota correct the window;
 * a 429 empties it until its reset. A 429 with only `Retry-After` empties the call's class
 * for that long; with no header at all (some routed providers) the windows are left alone
 * and backoff does the work. Every wait is bounded first (`boundCorrection`): one that had
 * to be cut holds the class's gate until the ceiling and then lets one probe through; any
 * other word from the server re-opens the gate. Waiting callers are re-examined at once.
 * Returns the longest reset of an exhausted window, the wait a 429 implies.
 */
export function learnWindows(
  feedback: ServerFeedback,
  requestClass: string,
  classes: ReadonlyMap<string, QuotaClass>,
  kit: PolicyKit,
): number | undefined {
  const now = kit.clock.now();
  const exhausted = feedback.status === 429;
  // Per class: the ceiling to hold for (a capped wait), or 0 (the server spoke normally).
  const touched = new Map<QuotaClass, number>();
  let hint: number | undefined;
  const apply = (q: QuotaClass, raw: WindowCorrection) => {
    const spec = windowFor(q.specs, raw);
    if (!spec) return raw;
    const { correction, ceilingMs, capped } = boundCorrection(raw, spec);
    quiet(q.group.correct(correction, now));
    const held = capped && (correction.exhausted === true || correction.remaining === 0);
    touched.set(q, Math.max(touched.get(q) ?? 0, held ? ceilingMs : 0));
    return correction;
  };
  for (const limit of feedback.limits) {
    const cls = classes.has(limit.policy) ? limit.policy : requestClass;
    const q = classes.get(cls);
    if (!q) continue;
    const correction = apply(q, {
      remaining: limit.remaining,
      resetMs: limit.resetMs,
      quota: limit.quota,
      windowMs: limit.windowMs,
      exhausted: exhausted && limit.remaining === 0,
    });
    if (correction.exhausted && correction.resetMs !== undefined)
      hint = Math.max(hint ?? 0, correction.resetMs);
    const { remaining, resetMs, quota, windowMs } = correction;
    const told = { remaining, resetMs, quota, windowMs, exhausted: correction.exhausted === true };
    kit.events.emit("quotaCorrected", { requestClass: cls, ...told });
  }
  if (exhausted && feedback.limits.length === 0 && feedback.retryAfterMs !== undefined) {
    const q = classes.get(requestClass);
    if (q) apply(q, { exhausted: true, resetMs: feedback.retryAfterMs });
  }
  for (const [q, ceilingMs] of touched) {
    if (ceilingMs > 0) q.gate.holdForProbe(now, ceilingMs);
    else q.gate.serverAnswered();
    q.gate.kick();
  }
  return hint;
}
