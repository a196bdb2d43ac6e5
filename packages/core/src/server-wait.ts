import type { WindowCorrection, WindowSpec } from "./quota-store.js";

/**
 * The longest wait a server may impose on a quota window, in lengths of that window (as
 * configured): a reset, a 429's `Retry-After`, an epoch `x-ratelimit-reset`, all end within
 * two windows, after which one probe asks the server again.
 */
export const WINDOW_WAIT_CEILING = 2;

/**
 * The longest `Retry-After` (or 429 reset) a call waits when no quota window measures it: a
 * request class with no windows, or a retry's backoff hint. 5 minutes, Hugging Face's window.
 */
export const MAX_SERVER_WAIT_MS = 300_000;

/**
 * The largest quota a server may announce for a window (or the configured limit, if higher):
 * ten times Hugging Face's largest bucket, and a bound on a sliding window's memory (8 MB).
 */
export const MAX_ADOPTED_QUOTA = 1_000_000;

/** A server's correction, bounded by the window it concerns. */
export interface BoundedCorrection {
  readonly correction: WindowCorrection;
  /** The longest wait this window may be given: {@link WINDOW_WAIT_CEILING} × its length. */
  readonly ceilingMs: number;
  /** True when the server asked for a longer wait than the ceiling (a probe follows it). */
  readonly capped: boolean;
}

/**
 * Bounds what one response says about a window so that no header can lock a swarm out:
 * a reset or 429 wait beyond {@link WINDOW_WAIT_CEILING} windows is cut to it; a window
 * length more than twice, or less than half, the configured one is not adopted (the
 * configured one is kept); a quota above {@link MAX_ADOPTED_QUOTA} (or the configured limit,
 * if higher) is cut to it. `spec` is the window the correction is about.
 */
export function boundCorrection(c: WindowCorrection, spec: WindowSpec): BoundedCorrection {
  const ceilingMs = WINDOW_WAIT_CEILING * spec.windowMs;
  const capped = c.resetMs !== undefined && c.resetMs > ceilingMs;
  const w = c.windowMs;
  const windowMs =
    w !== undefined && (w > ceilingMs || w < spec.windowMs / WINDOW_WAIT_CEILING) ? spec.windowMs : w;
  const maxQuota = Math.max(spec.limit, MAX_ADOPTED_QUOTA);
  const correction: WindowCorrection = {
    ...c,
    resetMs: capped ? ceilingMs : c.resetMs,
    windowMs,
    quota: c.quota !== undefined && c.quota > maxQuota ? maxQuota : c.quota,
  };
  return { correction, ceilingMs, capped };
}
