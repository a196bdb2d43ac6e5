import type { Clock } from "./clock.js";

/** Options of the retry policy. */
export interface RetryOptions {
  /**
   * Attempts per call, the first included, that failed for a reason other than a throttle.
   * `1` turns retries off. @default 6
   */
  readonly maxAttempts: number;
  /**
   * Attempts per call answered with a throttle (429, a model loading): the server paces
   * them, so they are retried while the call's deadline allows, up to this many, beside
   * `maxAttempts`. Ignored when `maxAttempts` is 1. @default 20
   */
  readonly maxThrottledAttempts: number;
  /** The first backoff's upper bound. @default 1_000 */
  readonly baseDelayMs: number;
  /** No backoff (nor server hint) is ever longer. @default 30_000 */
  readonly maxDelayMs: number;
  /**
   * Swarm-wide retry budget: over the last `windowMs`, retries may not exceed `ratio` of the
   * calls plus `minRetries`, so that an outage does not turn every caller into a retry
   * storm: a retry past the budget waits for room (within the call's deadline) rather than
   * fail. Throttles (429, a model loading) are paced by the server and not counted.
   * `false` turns it off. @default { ratio: 0.2, minRetries: 10, windowMs: 10_000 }
   */
  readonly budget: false | { readonly ratio: number; readonly minRetries: number; readonly windowMs: number };
  /** Random source in [0, 1) for jitter, injectable for tests. @default Math.random */
  readonly random: () => number;
}

/**
 * The delay before retry number `retry` (1 for the first retry): exponential backoff with
 * full jitter, capped at `maxDelayMs`. A server hint (`Retry-After`, the `t` of
 * `RateLimit`) wins over the computed backoff but is capped too.
 */
export function retryDelay(retry: number, options: RetryOptions, hintMs?: number): number {
  if (hintMs !== undefined && hintMs >= 0) return Math.min(hintMs, options.maxDelayMs);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(retry - 1, 30));
  return Math.floor(options.random() * ceiling);
}

/**
 * Counts calls and retries in time buckets over a sliding window and says whether one more
 * retry fits in the budget (Finagle's and gRPC's retry budget).
 */
export class RetryBudget {
  readonly #clock: Clock;
  readonly #ratio: number;
  readonly #minRetries: number;
  readonly #bucketMs: number;
  // Slot i counts bucket ids[i] (= floor(time / bucketMs)); a stale slot is reset on reuse.
  readonly #ids: Float64Array;
  readonly #calls: Float64Array;
  readonly #retries: Float64Array;

  constructor(options: { ratio: number; minRetries: number; windowMs: number }, clock: Clock, buckets = 10) {
    this.#clock = clock;
    this.#ratio = options.ratio;
    this.#minRetries = options.minRetries;
    this.#bucketMs = options.windowMs / buckets;
    this.#ids = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
    this.#calls = new Float64Array(buckets);
    this.#retries = new Float64Array(buckets);
  }

  /** Records a new call. */
  recordCall(now = this.#clock.now()): void {
    this.#calls[this.#slot(Math.floor(now / this.#bucketMs))]!++;
  }

  /** How long until the budget's oldest bucket leaves the window (room may come back then). */
  get bucketMs(): number {
    return this.#bucketMs;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    const id = this.#id();
    const slot = this.#slot(id);
    let calls = 0;
    let retries = 0;
    for (let i = 0; i < this.#ids.length; i++) {
      if (this.#ids[i]! <= id - this.#ids.length) continue;
      calls += this.#calls[i]!;
      retries += this.#retries[i]!;
    }
    if (retries >= this.#minRetries + this.#ratio * calls) return false;
    this.#retries[slot]!++;
    return true;
  }

  #id(): number {
    return Math.floor(this.#clock.now() / this.#bucketMs);
  }

  #slot(id: number): number {
    const slot = ((id % this.#ids.length) + this.#ids.length) % this.#ids.length;
    if (this.#ids[slot] !== id) {
      this.#ids[slot] = id;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    return slot;
  }
}
