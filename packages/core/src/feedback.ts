import type { ResponseLike } from "./attempt-context.js";
import type { CallInfo } from "./call-info.js";
import type { Clock } from "./clock.js";
import type { Policy } from "./policy.js";
import { readServerFeedback, type ServerFeedback } from "./server-feedback.js";
import { MAX_SERVER_WAIT_MS } from "./server-wait.js";

// A simulator that compresses time speaks in its own seconds: bring them to the wall clock.
function scaleFeedback(feedback: ServerFeedback, scale: number): ServerFeedback {
  if (scale === 1) return feedback;
  const ms = (value: number | undefined) => (value === undefined ? undefined : value / scale);
  return {
    status: feedback.status,
    retryAfterMs: ms(feedback.retryAfterMs),
    limits: feedback.limits.map((l) => ({ ...l, resetMs: ms(l.resetMs), windowMs: ms(l.windowMs) })),
    upstream: feedback.upstream.map((l) => ({ ...l, resetMs: ms(l.resetMs) })),
  };
}

/** What one observed response taught: its feedback, and the wait it implies for a 429 or 503. */
export interface Observed {
  readonly feedback: ServerFeedback;
  readonly hintMs: number | undefined;
}

/**
 * Reads a response's headers once and gives them to every policy that learns. Returns the
 * wait they imply for a 429 or 503: `Retry-After` when sent, else the longest reset of an
 * exhausted window (already bounded by the policies that learned it). A `Retry-After` is
 * bounded by the longest of those, or by {@link MAX_SERVER_WAIT_MS} when no window measured it.
 */
export function feedbackDispatcher(
  policies: readonly Policy[],
  clock: Clock,
  headerTimeScale: number,
): (response: ResponseLike, requestClass: string, info: CallInfo) => Observed {
  const learners = policies.filter((p) => p.learn !== undefined);
  return (response, requestClass, info) => {
    const feedback = scaleFeedback(readServerFeedback(response, clock.now()), headerTimeScale);
    let hint: number | undefined;
    for (const policy of learners) {
      let wait: number | undefined;
      try {
        wait = policy.learn!(feedback, requestClass, info);
      } catch {
        // a policy that fails to learn must not fail the call that observed
      }
      if (wait !== undefined) hint = Math.max(hint ?? 0, wait);
    }
    if (feedback.retryAfterMs !== undefined)
      hint = Math.min(feedback.retryAfterMs, Math.max(hint ?? 0, MAX_SERVER_WAIT_MS));
    return { feedback, hintMs: feedback.status === 429 || feedback.status === 503 ? hint : undefined };
  };
}
