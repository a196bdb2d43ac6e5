import type { Clock, TimerHandle } from "./clock.js";
import { IndexedHeap } from "./queues/indexed-heap.js";

/** What a deadline calls when it passes: an object rather than a closure, to allocate less. */
export interface Expirable {
  expire(): void;
}

/** A pending deadline; pass it to {@link DeadlineQueue.cancel}. */
export interface Deadline {
  readonly at: number;
  /** @internal */ readonly seq: number;
  /** @internal Index in the heap, -1 once expired or cancelled. */ slot: number;
  /** @internal */ readonly target: Expirable;
}

// Earliest first; deadlines due at the same instant expire in the order they were added.
const before = (a: Deadline, b: Deadline) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
const slot = {
  get: (d: Deadline) => d.slot,
  set: (d: Deadline, i: number) => {
    d.slot = i;
  },
};

/**
 * Many timeouts for the price of one timer: every deadline sits in one heap keyed by its
 * instant, and one timer is armed for the earliest. Its size is the number of deadlines
 * pending (calls and attempts in flight), whatever their durations; adding and cancelling
 * cost O(log n) and one small object, instead of a `setTimeout` and a `clearTimeout` per
 * call on the hot path.
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #heap = new IndexedHeap<Deadline>(before, slot);
  #seq = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Deadlines pending. */
  get size(): number {
    return this.#heap.size;
  }

  /** Calls `target.expire()` after `ms`, unless cancelled first; `now` saves a clock read. */
  add(ms: number, target: Expirable, now = this.#clock.now()): Deadline {
    const entry: Deadline = { at: now + ms, seq: this.#seq++, slot: -1, target };
    this.#heap.push(entry);
    // A timer armed for an earlier instant re-arms for this one when it fires.
    if (entry.at < this.#timerAt) this.#arm(entry.at, now);
    return entry;
  }

  /** Cancels a deadline; cancelling twice, or after it expired, does nothing. */
  cancel(entry: Deadline): void {
    this.#heap.remove(entry);
    // The timer stays armed: when it fires it finds nothing due and re-arms for the new head.
  }

  /** Cancels every deadline and the timer (the deadlines themselves never fire). */
  clear(): void {
    this.#heap.clear();
    this.#disarm();
  }

  #arm(at: number, now: number): void {
    this.#disarm();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - now));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const heap = this.#heap;
    const now = this.#clock.now();
    for (let entry = heap.peek(); entry && entry.at <= now; entry = heap.peek()) {
      heap.remove(entry);
      try {
        entry.target.expire();
      } catch {
        // an expiry callback must not stop the others
      }
    }
    const head = heap.peek();
    if (head && head.at < this.#timerAt) this.#arm(head.at, now);
  }
}
