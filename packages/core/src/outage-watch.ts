import type { ErrorVerdict, FailureReason } from "./classify.js";

/** Failures in a row that say an upstream is down, before it is held. */
export const OUTAGE_AFTER = 2;
/** Before any answer was timed, the first hold is this share of the longest. */
const UNTIMED_SHARE = 1 / 8;

/**
 * Tells an upstream that is down from one that refused a few calls: after
 * {@link OUTAGE_AFTER} failures in a row that say it is down (see {@link isDown}), with no
 * answer between to a request sent after the first of them, the upstream is held for two of
 * its answers' latencies, then one probe goes; while probes fail the hold doubles, up to
 * `pauseMs`, and the first answer opens the flow. A hidden concurrency cap that refused a
 * few at once costs two latencies; an outage, one probe per `pauseMs` once it lasts. The
 * requests already in flight when it went down fail as they would; what waits behind them
 * (past the breaker, in the concurrency queue) waits.
 */
export class OutageWatch {
  readonly #pauseMs: number;
  #failures = 0;
  // When the first failure of the streak was admitted: an answer to an attempt sent before
  // it (in flight when the upstream went down) says nothing about the upstream now.
  #since = Number.POSITIVE_INFINITY;
  #heldAt = Number.NEGATIVE_INFINITY;
  #holds = 0;
  // The answers' latency (a moving average), 0 before the first.
  #latencyMs = 0;

  /** `pauseMs` 0: never held. */
  constructor(pauseMs: number) {
    this.#pauseMs = pauseMs;
  }

  /** An answer to an attempt admitted at `admittedAt`: the upstream is up, unless it was sent before the failures began. */
  served(admittedAt: number, now: number): void {
    const latency = Math.max(1, now - admittedAt);
    this.#latencyMs = this.#latencyMs === 0 ? latency : this.#latencyMs * 0.9 + latency * 0.1;
    if (admittedAt < this.#since) return;
    this.#failures = 0;
    this.#holds = 0;
    this.#since = Number.POSITIVE_INFINITY;
  }

  /**
   * A failure that says the upstream is down, of an attempt admitted at `admittedAt`.
   * Returns how long to hold the upstream for one probe, or undefined: not down yet, or the
   * attempt went before the last hold (it says nothing new).
   */
  failed(now: number, admittedAt: number): number | undefined {
    if (this.#pauseMs === 0) return undefined;
    this.#since = Math.min(this.#since, admittedAt);
    if (++this.#failures < OUTAGE_AFTER || admittedAt < this.#heldAt) return undefined;
    this.#heldAt = now;
    const first = this.#latencyMs === 0 ? this.#pauseMs * UNTIMED_SHARE : 2 * this.#latencyMs;
    return Math.min(this.#pauseMs, first * 2 ** Math.min(30, this.#holds++));
  }
}

// Failures that say the upstream is down, not that the request was wrong: a 503 that is not a
// cold start, a gateway's 502 or 504, the network, a timeout (a 500 is often the request's own).
const DOWN: ReadonlySet<FailureReason> = new Set(["overloaded", "network", "timeout"]);

/** Whether a failed attempt says its upstream is down. */
export const isDown = (v: ErrorVerdict): boolean =>
  DOWN.has(v.reason) || v.status === 502 || v.status === 504;

/** Why a down upstream's gate refuses a call whose deadline comes before the probe. */
export const DOWN_WHY = "the upstream is down";
