import type { Clock, TimerHandle } from "./clock.js";
import { ThrottledError } from "./errors.js";
import type { AcquireResult, WindowGroup } from "./quota-store.js";

interface Waiter {
  readonly enqueuedAt: number;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  resolve(waitedMs: number): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/** What {@link QuotaGate.acquire} needs to know about the caller. */
export interface GateRequest {
  /** Epoch ms after which waiting is pointless; `Infinity` waits as long as it takes. */
  readonly deadline: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Hands out the quota permits of one request class in FIFO order. Waiting is the normal
 * case: a caller waits for its permit unless the wait would pass its deadline, and new
 * callers never overtake waiting ones.
 */
export class QuotaGate {
  readonly requestClass: string;
  readonly #group: WindowGroup;
  readonly #clock: Clock;
  readonly #queue: Waiter[] = [];
  #timer: TimerHandle | undefined;
  #pumping = false;
  #again = false;
  #lastRemaining = Number.POSITIVE_INFINITY;

  constructor(requestClass: string, group: WindowGroup, clock: Clock) {
    this.requestClass = requestClass;
    this.#group = group;
    this.#clock = clock;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Permits left in the tightest window at the last decision. */
  get lastRemaining(): number {
    return this.#lastRemaining;
  }

  /**
   * Takes one permit. Returns `0` synchronously when one is free and nobody waits;
   * otherwise a promise of the milliseconds waited.
   */
  acquire(request: GateRequest, now = this.#clock.now()): number | Promise<number> {
    if (this.#queue.length > 0) return this.#enqueue(request);
    const result = this.#group.tryAcquire(1, now);
    if (isPromise(result)) return Promise.resolve(result).then((r) => this.#decide(r, request));
    return this.#decide(result, request, now);
  }

  #decide(result: AcquireResult, request: GateRequest, now?: number): number | Promise<number> {
    this.#lastRemaining = result.remaining;
    if (result.ok) return 0;
    if ((now ?? this.#clock.now()) + result.waitMs > request.deadline)
      return Promise.reject(this.#refusal(result));
    return this.#enqueue(request);
  }

  /** Re-examines the queue now, e.g. after the server said more permits are left. */
  kick(): void {
    if (this.#queue.length > 0) void this.#pump();
  }

  /** Rejects every waiter with `error` (on close). */
  drain(error: unknown): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#queue.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  #enqueue(request: GateRequest): Promise<number> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => this.#remove(waiter, signal?.reason);
      const waiter: Waiter = {
        enqueuedAt: this.#clock.now(),
        deadline: request.deadline,
        signal,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
      if (this.#queue.length === 1) void this.#pump();
    });
  }

  #remove(waiter: Waiter, error: unknown): void {
    const index = this.#queue.indexOf(waiter);
    if (index < 0) return;
    this.#queue.splice(index, 1);
    waiter.cleanup();
    waiter.reject(error);
    if (index === 0) this.kick();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      for (;;) {
        if (this.#queue.length === 0) return;
        this.#again = false;
        const answer = this.#group.tryAcquire(1, this.#clock.now());
        const result = isPromise(answer) ? await answer : answer;
        this.#lastRemaining = result.remaining;
        const now = this.#clock.now();
        if (result.ok) {
          // Permits are interchangeable: if the head gave up while the store answered, the next one gets it.
          const waiter = this.#queue.shift();
          waiter?.cleanup();
          waiter?.resolve(now - waiter.enqueuedAt);
          continue;
        }
        // Waiters behind the head wait at least as long: refuse every one whose deadline falls first.
        for (let i = this.#queue.length - 1; i >= 0; i--) {
          const waiter = this.#queue[i]!;
          if (now + result.waitMs > waiter.deadline) {
            this.#queue.splice(i, 1);
            waiter.cleanup();
            waiter.reject(this.#refusal(result));
          }
        }
        if (this.#again) continue;
        if (this.#queue.length > 0) {
          this.#timer = this.#clock.setTimeout(
            () => {
              this.#timer = undefined;
              void this.#pump();
            },
            Math.max(1, result.waitMs),
          );
        }
        return;
      }
    } catch (error) {
      // The store failed: nobody can be admitted on its word, so the waiters learn why.
      this.drain(error);
    } finally {
      this.#pumping = false;
    }
  }

  #refusal(result: AcquireResult): ThrottledError {
    return new ThrottledError(
      `No "${this.requestClass}" quota permit before the call's deadline (window "${result.blockedBy ?? "?"}" frees one in ${Math.ceil(result.waitMs)} ms)`,
      this.requestClass,
      { retryAfterMs: Number.isFinite(result.waitMs) ? result.waitMs : undefined },
    );
  }
}

/** True for a thenable. */
export function isPromise<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
