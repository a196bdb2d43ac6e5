import CircuitBreaker from "opossum";
import { MAX_TIMER_MS } from "./clock.js";
import { CircuitOpenError } from "./errors.js";
import type { SharedBreaker } from "./quota-store.js";

// opossum logs every call's latency in its current bucket until the bucket rotates (on a
// timer, every rollingWindowMs / 10): a swarm that never yields to the event loop, or runs
// 100k calls a second, would grow that log without bound. Nothing here reads it.
const LATENCY_LOG_MAX = 1024;

// How long a process trusts its last reading of a shared breaker: every attempt asking
// Redis would double the round trips; a quarter second late to fail fast costs little.
const SHARED_CACHE_MS = 250;

// Rounds of failures in a row (see the constructor) that open the breaker at once.
const STREAK_ROUNDS = 3;

/** Options of the circuit breakers (opossum), one per upstream key. */
export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. @default 50 */
  readonly errorThresholdPercentage: number;
  /** How long the breaker stays open before letting one probe through (half-open). @default 30_000 */
  readonly resetTimeoutMs: number;
  /** Attempts in the rolling window before the breaker may open; that many failures in a row (at least 3) open it at once when they span 3 rounds or last twice as long as answers take. @default 10 */
  readonly volumeThreshold: number;
  /** The rolling window over which failures are counted. @default 10_000 */
  readonly rollingWindowMs: number;
  /** While open, a call waits for the half-open probe instead of failing fast (within its deadline); `false` also leaves the upstream's outage hold off (`upstream.outagePauseMs` 0 unless set). @default true */
  readonly waitForProbe: boolean;
}

/** A breaker's state; `swarmgate.breaker.state` reports it as 0, 1, 2. */
export type BreakerState = "closed" | "half-open" | "open";

/** The numeric value of a state on the `swarmgate.breaker.state` gauge. */
export const breakerStateValue: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  "half-open": 1,
  open: 2,
};

type Action = () => Promise<unknown>;

/** Told when the breaker refuses an attempt (the reporter of the call that tried). */
export interface RefusalListener {
  throttled(source: "breaker_open", waitMs: number): void;
}

/** One upstream's breaker. */
export class Breaker {
  readonly key: string;
  readonly #breaker: CircuitBreaker<[Action, number], unknown>;
  #openedAt = 0;
  readonly #resetTimeoutMs: number;
  readonly #now: () => number;
  readonly #shared: SharedBreaker | undefined;
  readonly #onState: (key: string, state: BreakerState) => void;
  readonly #isFailure: (error: unknown) => boolean;
  #sharedUntil = 0;
  #sharedReadAt = Number.NEGATIVE_INFINITY;
  #fired = 0;
  // Attempts fired through the breaker, numbering each: which round a failure belongs to.
  #sent = 0;
  // How long an answer takes (see #timed); 0 before the first.
  #answerMs = 0;

  constructor(
    key: string,
    options: BreakerOptions,
    isFailure: (error: unknown) => boolean,
    onState: (key: string, state: BreakerState) => void,
    now: () => number,
    shared?: SharedBreaker,
  ) {
    this.key = key;
    this.#shared = shared;
    this.#onState = onState;
    this.#isFailure = isFailure;
    this.#resetTimeoutMs = options.resetTimeoutMs;
    this.#breaker = new CircuitBreaker<[Action, number], unknown>((action) => this.#timed(action), {
      timeout: false, // attempt timeouts belong to the governor, which aborts the attempt's signal
      errorThresholdPercentage: options.errorThresholdPercentage,
      // opossum arms a host timer of this length: one longer than a timer holds would fire at once.
      resetTimeout: Math.min(options.resetTimeoutMs, MAX_TIMER_MS),
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: 10,
      enableSnapshots: false,
      errorFilter: (error: unknown) => !isFailure(error),
      name: key,
    });
    this.#breaker.on("open", () => {
      const at = now();
      this.#openedAt = at;
      onState(key, "open");
      // One process opening the breaker opens it for every process sharing the store.
      if (shared) {
        this.#sharedUntil = at + this.#resetTimeoutMs;
        this.#sharedReadAt = at;
        void settle(shared.open(at + this.#resetTimeoutMs, at));
      }
    });
    this.#breaker.on("halfOpen", () => onState(key, "half-open"));
    // A run of `volumeThreshold` (at least 3) failures in a row opens it at once when it spans 3
    // rounds or lasts twice as long as answers take: an outage right after a busy spell would
    // otherwise wait for the rolling window's successes to age out. A round is what went through
    // before its first failure came back. A hidden concurrency cap refuses the excess of one burst
    // at once (a dozen 503s in a row, one round) and answers what it holds within an answer's
    // time, which ends the run; an outage also fails what is sent after it began, and answers none.
    const streak = { failures: 0, rounds: 0, roundSent: 0, since: 0 };
    this.#breaker.on("success", () => {
      streak.failures = 0;
      streak.rounds = 0;
    });
    this.#breaker.on("failure", (_error: unknown, _latency: number, args?: [Action, number]) => {
      const sent = args?.[1] ?? Number.POSITIVE_INFINITY;
      const at = now();
      if (streak.failures === 0) streak.since = at;
      if (sent > streak.roundSent) {
        streak.rounds++;
        streak.roundSent = this.#sent;
      }
      if (++streak.failures < Math.max(3, options.volumeThreshold)) return;
      const lasted = this.#answerMs > 0 && at - streak.since >= 2 * this.#answerMs;
      if (streak.rounds < STREAK_ROUNDS && !lasted) return;
      if (this.#breaker.closed) this.#breaker.open();
    });
    this.#breaker.on("close", () => {
      onState(key, "closed");
      if (shared) {
        this.#sharedUntil = 0;
        void settle(shared.close(now()));
      }
    });
    this.#now = now;
  }

  /** Whether the breaker's state is shared with other processes (a remote store). */
  get shared(): boolean {
    return this.#shared !== undefined;
  }

  get state(): BreakerState {
    if (this.#breaker.opened) return "open";
    return this.#breaker.halfOpen ? "half-open" : "closed";
  }

  /** Runs `action` through the breaker; rejects with {@link CircuitOpenError} while open. */
  fire<T>(action: () => Promise<T>, refused?: RefusalListener): Promise<T> {
    if (this.#shared) return this.#fireShared(action, this.#shared, refused);
    return this.#fireLocal(action, refused);
  }

  // Remote state first: open elsewhere fails fast here; half-open elsewhere lets one probe
  // through in the whole fleet, and that probe's outcome closes or re-opens it for everyone.
  async #fireShared<T>(
    action: () => Promise<T>,
    shared: SharedBreaker,
    refused: RefusalListener | undefined,
  ): Promise<T> {
    const now = this.#now();
    let until = this.#sharedUntil;
    if (now - this.#sharedReadAt >= SHARED_CACHE_MS) {
      // An unreachable store must not stop calls: the local breaker still protects.
      until = await settle(shared.openUntil(now), 0);
      if (until === 0 && this.#sharedUntil !== 0) this.#onState(this.key, "closed");
      this.#sharedUntil = until;
      this.#sharedReadAt = now;
    }
    if (until > now) {
      refused?.throttled("breaker_open", 0);
      throw new CircuitOpenError(this.key, { retryAfterMs: until - now });
    }
    if (until === 0) return this.#fireLocal(action, refused);
    if (!(await settle(shared.tryProbe(now), false))) {
      refused?.throttled("breaker_open", 0);
      throw new CircuitOpenError(this.key, { retryAfterMs: SHARED_CACHE_MS });
    }
    try {
      const value = await this.#fireLocal(action, refused);
      this.#sharedUntil = 0;
      this.#sharedReadAt = this.#now();
      await settle(shared.close(this.#now()));
      return value;
    } catch (error) {
      // A failed probe opens the breaker again everywhere, unless the error says nothing about
      // the upstream's health (a 429, a 4xx, the caller's abort).
      if ((error as { code?: unknown } | null)?.code !== "circuit_open" && this.#isFailure(error)) {
        const at = this.#now();
        this.#sharedUntil = at + this.#resetTimeoutMs;
        this.#sharedReadAt = at;
        await settle(shared.open(at + this.#resetTimeoutMs, at));
      }
      throw error;
    }
  }

  #fireLocal<T>(action: () => Promise<T>, refused: RefusalListener | undefined): Promise<T> {
    // Refuse before opossum does (open, or half-open with its probe out): the same test it
    // makes, without a rejected promise to translate on every call.
    const b = this.#breaker;
    if (!b.closed && !b.pendingClose) {
      refused?.throttled("breaker_open", 0);
      const retryAfterMs = b.opened ? Math.max(0, this.#openedAt + this.#resetTimeoutMs - this.#now()) : 0;
      return Promise.reject(new CircuitOpenError(this.key, { retryAfterMs }));
    }
    if (++this.#fired >= LATENCY_LOG_MAX) this.#trimLatencyLog();
    return b.fire(action, ++this.#sent) as Promise<T>;
  }

  // How long answers take, from the breaker to the answer (queues inside included): it rises
  // at once to a slower answer and comes down slowly, so that a slow call in flight is covered.
  #timed(action: Action): Promise<unknown> {
    const start = this.#now();
    return action().then((value) => {
      const ms = Math.max(1, this.#now() - start);
      this.#answerMs = ms > this.#answerMs ? ms : this.#answerMs + (ms - this.#answerMs) * 0.05;
      return value;
    });
  }

  #trimLatencyLog(): void {
    this.#fired = 0;
    const window = (this.#breaker.status as unknown as { window?: { latencyTimes?: number[] }[] }).window;
    const times = window?.[0]?.latencyTimes;
    if (Array.isArray(times)) times.length = 0;
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.#breaker.shutdown();
  }
}

// Shared-state calls are best effort: a failure (or a store that never answers) is treated as
// "nothing known", and the local breaker keeps protecting this process.
async function settle<T>(value: T | PromiseLike<T>, fallback?: T): Promise<T> {
  try {
    return await value;
  } catch {
    return fallback as T;
  }
}
