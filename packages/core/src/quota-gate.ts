import type { Clock, TimerHandle } from "./clock.js";
import { ThrottledError } from "./errors.js";
import type { AcquireResult, WindowGroup } from "./quota-store.js";
import { WaiterQueue } from "./waiter-queue.js";

interface Waiting {
  readonly enqueuedAt: number;
  readonly deadline: number;
}

// How many waiters' permits one pump asks a remote store for at once.
const REMOTE_BATCH = 32;

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
  // An aborted head makes way: the next one is examined at once.
  readonly #queue = new WaiterQueue<number, Waiting>(() => this.kick());
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
    this.#queue.drain(error);
  }

  #enqueue(request: GateRequest): Promise<number> {
    const waiting = this.#queue.push(
      { enqueuedAt: this.#clock.now(), deadline: request.deadline },
      request.signal,
    );
    if (this.#queue.length === 1) void this.#pump();
    return waiting;
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
        const result = isPromise(answer) ? await this.#askRemote(answer) : answer;
        this.#lastRemaining = result.remaining;
        const now = this.#clock.now();
        if (result.ok) {
          // Permits are interchangeable: if the head gave up while the store answered, the next one gets it.
          const head = this.#queue.at(0);
          if (head) this.#queue.resolveHead(now - head.data.enqueuedAt);
          continue;
        }
        // Waiters behind the head wait at least as long: refuse every one whose deadline falls first.
        this.#queue.rejectWhere(
          (w) => now + result.waitMs > w.deadline,
          () => this.#refusal(result),
        );
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

  // A remote store costs a round trip per answer: ask for the permits of the next waiters
  // at once (the store may merge the requests into one), serve every waiter that got one,
  // and return the first refusal — or the last grant, for the head the loop serves.
  async #askRemote(first: PromiseLike<AcquireResult>): Promise<AcquireResult> {
    const more = Math.min(this.#queue.length, REMOTE_BATCH) - 1;
    const now = this.#clock.now();
    const answers = [first];
    for (let i = 0; i < more; i++) answers.push(this.#group.tryAcquire(1, now) as PromiseLike<AcquireResult>);
    const results = await Promise.all(answers);
    const granted = results.filter((r) => r.ok).length;
    const refusal = results.find((r) => !r.ok);
    // All but one grant are handed out here; the loop hands out the last one.
    const served = refusal ? granted : granted - 1;
    const at = this.#clock.now();
    for (let i = 0; i < served; i++) {
      const head = this.#queue.at(0);
      if (!head) break; // a waiter left meanwhile: its permit is spent, never over-admitted
      this.#queue.resolveHead(at - head.data.enqueuedAt);
    }
    return refusal ?? (results[results.length - 1] as AcquireResult);
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
