import { type Clock, type TimerHandle, timerDelay } from "./clock.js";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to: for deterministic tests of anything that takes a
 * {@link Clock}, here and in users' own suites.
 *
 * @example
 * const clock = new ManualClock();
 * const governor = createGovernor({ clock, ... });
 * await clock.advance(300_000); // one 5-minute window later, with every due timer run in order
 */
export class ManualClock implements Clock {
  /** Time moves only when a test says so: a call waiting on it has no reason to keep a process alive. */
  readonly keepsProcessAlive = false;
  /** @internal Takes any delay: `Infinity` never fires, NaN and negatives fire at the next step. */
  readonly boundedTimers = true;
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  /** @param start the initial reading of {@link now}. @default 0 */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: Timer = { id: this.#nextId++, at: this.#now + timerDelay(ms), callback };
    // Keep timers sorted by due time, ties in creation order, like a real event loop.
    const timers = this.#timers;
    let low = 0;
    let high = timers.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (timers[mid]!.at > timer.at) high = mid;
      else low = mid + 1;
    }
    timers.splice(low, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const index = this.#timers.findIndex((timer) => timer.id === handle);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way in order, and
   * letting promise callbacks settle between timers so async code observes each step.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Advances to the next due timer (if any) and fires it; false when none will ever fall due. */
  async next(): Promise<boolean> {
    const next = this.#timers[0];
    // A timer armed for `Infinity` never falls due: time does not jump there.
    if (!next || next.at === Number.POSITIVE_INFINITY) return false;
    await this.advance(next.at - this.#now);
    return true;
  }

  /** Fires timers until none are left or `maxSteps` have fired (guards against timers that re-arm forever). */
  async runAll(maxSteps = 10_000): Promise<void> {
    for (let step = 0; step < maxSteps && (await this.next()); step++);
  }
}

async function flushMicrotasks(): Promise<void> {
  // Several turns: a settled promise can schedule further `then` callbacks.
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
