import type { Clock, TimerHandle } from "./clock.js";

/** What a deadline calls when it passes: an object rather than a closure, to allocate less. */
export interface Expirable {
  expire(): void;
}

/** A pending deadline; pass it to {@link DeadlineQueue.cancel}. */
export interface Deadline {
  readonly at: number;
  /** @internal */ prev: Deadline | undefined;
  /** @internal */ next: Deadline | undefined;
  /** @internal */ list: DeadlineList | undefined;
  /** @internal */ readonly target: Expirable;
}

interface DeadlineList {
  head: Deadline | undefined;
  tail: Deadline | undefined;
  timer: TimerHandle | undefined;
  timerAt: number;
}

/**
 * Many timeouts for the price of one timer. Deadlines of the same duration expire in the
 * order they were added, so each duration keeps a FIFO list and one timer for its head:
 * adding and cancelling are O(1) and allocate one small object, instead of a `setTimeout`
 * and a `clearTimeout` per call on the hot path.
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #lists = new Map<number, DeadlineList>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `target.expire()` after `ms`, unless cancelled first; `now` saves a clock read. */
  add(ms: number, target: Expirable, now = this.#clock.now()): Deadline {
    let list = this.#lists.get(ms);
    if (!list) {
      list = { head: undefined, tail: undefined, timer: undefined, timerAt: 0 };
      this.#lists.set(ms, list);
    }
    const entry: Deadline = { at: now + ms, prev: list.tail, next: undefined, list, target };
    if (list.tail) list.tail.next = entry;
    else list.head = entry;
    list.tail = entry;
    if (list.timer === undefined) this.#arm(list);
    return entry;
  }

  /** Cancels a deadline; cancelling twice, or after it expired, does nothing. */
  cancel(entry: Deadline): void {
    const list = entry.list;
    if (!list) return;
    if (entry.prev) entry.prev.next = entry.next;
    else list.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else list.tail = entry.prev;
    entry.list = entry.prev = entry.next = undefined;
    // The list's timer stays armed: when it fires it finds nothing due and re-arms for the new head.
  }

  /** Cancels every timer (the deadlines themselves never fire). */
  clear(): void {
    for (const list of this.#lists.values())
      if (list.timer !== undefined) this.#clock.clearTimeout(list.timer);
    this.#lists.clear();
  }

  #arm(list: DeadlineList): void {
    const head = list.head;
    if (!head) {
      list.timer = undefined;
      return;
    }
    list.timerAt = head.at;
    list.timer = this.#clock.setTimeout(() => this.#fire(list), Math.max(0, head.at - this.#clock.now()));
  }

  #fire(list: DeadlineList): void {
    const now = this.#clock.now();
    let entry = list.head;
    while (entry && entry.at <= now) {
      const next = entry.next;
      this.cancel(entry);
      try {
        entry.target.expire();
      } catch {
        // an expiry callback must not stop the others
      }
      entry = next;
    }
    this.#arm(list);
  }
}
