import type { Clock, TimerHandle } from "./clock.js";
import { QueueFullError } from "./errors.js";
import { isPromise } from "./is-promise.js";
import { createWaitQueue } from "./queues/create-wait-queue.js";
import type { QueueKind, WaitQueue, WaitRequest } from "./queues/wait-queue.js";
import type { SlotLease, SlotPool } from "./quota-store.js";

const NO_DEADLINE: WaitRequest = { deadline: Number.POSITIVE_INFINITY };

/** Options of {@link ConcurrencyLimiter}. */
export interface ConcurrencyOptions {
  /** Calls in flight allowed at the start of a ramp. @default 10 */
  readonly initial: number;
  /** Calls in flight allowed at the end of the ramp. @default 50 */
  readonly max: number;
  /** Duration of the linear ramp from `initial` to `max`. @default 180_000 */
  readonly rampMs: number;
  /** Callers allowed to wait for a slot; one more gets {@link QueueFullError}. @default 10_000 */
  readonly maxQueue: number;
  /**
   * AIMD for upstreams whose concurrency limit is not published: the limit is multiplied by
   * `decrease` on each overload (503, attempt timeout) and grows by one per limit's worth of
   * successes, never above `max` nor below `min` (a cold start's 503 is a wait, not an
   * overload). `false` turns it off. @default { decrease: 0.7, min: 1 }
   */
  readonly adaptive: false | { readonly decrease: number; readonly min: number };
  /** How often to look for slots freed by other processes when the store is remote. @default 50 */
  readonly pollMs: number;
}

/**
 * A concurrency limit that ramps linearly from `initial` to `max` over `rampMs` (again after
 * a breaker closes), optionally moved by AIMD, with a bounded queue of waiting callers
 * (FIFO, priority or fair share).
 */
export class ConcurrencyLimiter {
  readonly #options: ConcurrencyOptions;
  readonly #pool: SlotPool;
  readonly #clock: Clock;
  readonly #queue: WaitQueue<SlotLease>;
  #rampStart: number;
  #ceiling: number;
  #successes = 0;
  // The limit before the latest run of AIMD cuts, and the one to resume at after an outage.
  #beforeCuts: number | undefined;
  #resumeAt: number | undefined;
  #timer: TimerHandle | undefined;
  #pumping = false;
  #again = false;

  constructor(options: ConcurrencyOptions, pool: SlotPool, clock: Clock, queue: QueueKind = "fifo") {
    this.#queue = createWaitQueue<SlotLease>(queue);
    this.#options = options;
    this.#pool = pool;
    this.#clock = clock;
    this.#rampStart = clock.now();
    this.#ceiling = options.max;
  }

  /** The limit in force at `now`: the ramp's value, capped by the adaptive ceiling. */
  limit(now = this.#clock.now()): number {
    const { initial, max, rampMs } = this.#options;
    const progress = rampMs <= 0 ? 1 : Math.min(1, Math.max(0, (now - this.#rampStart) / rampMs));
    const ramp = Math.floor(initial + (max - initial) * progress);
    return Math.max(1, Math.min(ramp, Math.floor(this.#ceiling)));
  }

  get inFlight(): number {
    return this.#pool.inFlight();
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * A slot lease, synchronously when one is free and nobody waits. `request` is the caller's
   * signal, or its place in the queue (`{ signal, priority, agent }`).
   */
  acquire(request?: AbortSignal | WaitRequest, now = this.#clock.now()): SlotLease | Promise<SlotLease> {
    if (this.#queue.length === 0) {
      const lease = this.#pool.tryAcquire(this.limit(now), now);
      if (isPromise(lease)) return Promise.resolve(lease).then((l) => l ?? this.#wait(request));
      if (lease !== undefined) return lease;
    }
    return this.#wait(request);
  }

  #wait(request: AbortSignal | WaitRequest | undefined): Promise<SlotLease> {
    if (this.#queue.length >= this.#options.maxQueue)
      return Promise.reject(new QueueFullError(this.#options.maxQueue));
    const waiting = this.#queue.push(
      undefined,
      request === undefined
        ? NO_DEADLINE
        : typeof (request as WaitRequest).deadline === "number"
          ? (request as WaitRequest)
          : { deadline: Number.POSITIVE_INFINITY, signal: request as AbortSignal },
    );
    void this.#pump();
    return waiting;
  }

  /** Frees a slot and hands it to the next waiter. */
  release(lease: SlotLease): void {
    const done = this.#pool.release(lease);
    if (isPromise(done))
      void Promise.resolve(done).then(
        () => this.#pump(),
        () => this.#pump(),
      );
    else if (this.#queue.length > 0) void this.#pump();
  }

  /** Starts the ramp again from `initial`. */
  restartRamp(): void {
    this.#rampStart = this.#clock.now();
  }

  /** A breaker opened: the limit before the outage's overload cuts is the one to come back to. */
  outageBegan(): void {
    this.#resumeAt ??= this.#beforeCuts ?? this.limit();
  }

  /**
   * The breaker closed again (its probe succeeded): the flow resumes at the limit it had
   * before the outage, without a new ramp from `initial`; AIMD corrects it from there.
   */
  outageEnded(): void {
    const resume = this.#resumeAt;
    if (resume === undefined) return;
    this.#resumeAt = undefined;
    this.#beforeCuts = undefined;
    const { initial, max, rampMs } = this.#options;
    this.#ceiling = Math.max(this.#ceiling, resume);
    // Move the ramp's start back so that its value now is at least `resume`.
    if (max > initial && rampMs > 0) {
      const progress = Math.min(1, Math.max(0, (resume - initial) / (max - initial)));
      this.#rampStart = Math.min(this.#rampStart, this.#clock.now() - progress * rampMs);
    }
    if (this.#queue.length > 0) void this.#pump();
  }

  /** AIMD decrease on an overload signal (503, attempt timeout). */
  overloaded(): void {
    const adaptive = this.#options.adaptive;
    if (!adaptive) return;
    this.#beforeCuts ??= this.limit();
    this.#ceiling = Math.max(adaptive.min, Math.floor(this.limit() * adaptive.decrease));
    this.#successes = 0;
  }

  /** AIMD increase: one more slot per limit's worth of successes. */
  succeeded(): void {
    if (!this.#options.adaptive || this.#ceiling >= this.#options.max) return;
    if (++this.#successes >= this.#ceiling) {
      this.#successes = 0;
      this.#ceiling = Math.min(this.#options.max, this.#ceiling + 1);
      if (this.#beforeCuts !== undefined && this.#ceiling >= this.#beforeCuts) this.#beforeCuts = undefined;
      if (this.#queue.length > 0) void this.#pump();
    }
  }

  /** Rejects every waiter with `error` (on close). */
  drain(error: unknown): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.drain(error);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true; // a slot freed while we were asking the store: look once more
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (this.#queue.length > 0) {
          const answer = this.#pool.tryAcquire(this.limit(), this.#clock.now());
          const lease = isPromise(answer) ? await answer : answer;
          if (lease === undefined) break;
          if (!this.#queue.resolveHead(lease)) {
            this.#pool.release(lease); // the waiter gave up while the store answered
            break;
          }
        }
      } while (this.#again);
    } catch (error) {
      this.drain(error);
    } finally {
      this.#pumping = false;
    }
    this.#schedule();
  }

  // While callers wait, wake up when the ramp next raises the limit, or poll a remote store.
  #schedule(): void {
    if (this.#queue.length === 0 || this.#timer !== undefined) return;
    const now = this.#clock.now();
    const { initial, max, rampMs, pollMs } = this.#options;
    let delay = this.#pool.inFlight() < this.limit(now) ? pollMs : Number.POSITIVE_INFINITY;
    const current = this.limit(now);
    if (rampMs > 0 && current < Math.min(max, Math.floor(this.#ceiling))) {
      const nextAt = this.#rampStart + ((current + 1 - initial) / (max - initial)) * rampMs;
      delay = Math.min(delay, Math.max(1, Math.ceil(nextAt - now)));
    }
    if (!Number.isFinite(delay)) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, delay);
  }
}
