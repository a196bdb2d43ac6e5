import type { Occupancy } from "./active-calls.js";
import { type Clock, MAX_TIMER_MS } from "./clock.js";

interface HostTimer {
  ref(): unknown;
  unref(): unknown;
}

const noop = () => {};

/**
 * Keeps the process alive while a governor has calls pending, so that `node script.mjs`
 * finishes the calls it started even when all of them are waiting for a quota window or a
 * backoff (whose timers are `unref`'d). One host interval per governor, created on its first
 * call, `ref`'d while any call is in flight and `unref`'d when the last one settles, which
 * costs a flag flip, not a timer, per transition; {@link close} clears it. Does nothing on a
 * clock with `keepsProcessAlive: false` or where host timers cannot be `ref`'d (browsers).
 */
export class KeepAlive implements Occupancy {
  #enabled: boolean;
  #timer: HostTimer | undefined;
  #clear: ((timer: HostTimer) => void) | undefined;

  constructor(clock: Clock) {
    this.#enabled = clock.keepsProcessAlive !== false;
  }

  busy(): void {
    if (!this.#enabled) return;
    if (this.#timer === undefined) {
      const { setInterval, clearInterval } = globalThis;
      // Fake timers (@sinonjs/fake-timers, behind vi.useFakeTimers and Jest's) mark their
      // functions with `clock`: fake time keeps no process alive, and a 24-day interval there
      // would only make `runAllTimers()` loop.
      if ((setInterval as { clock?: unknown }).clock !== undefined) return;
      const timer = setInterval(noop, MAX_TIMER_MS) as unknown as Partial<HostTimer>;
      if (typeof timer?.ref !== "function" || typeof timer.unref !== "function") {
        clearInterval(timer as ReturnType<typeof setInterval>);
        this.#enabled = false;
        return;
      }
      this.#timer = timer as HostTimer;
      this.#clear = (t) => clearInterval(t as unknown as ReturnType<typeof setInterval>);
    }
    this.#timer.ref();
  }

  idle(): void {
    this.#timer?.unref();
  }

  /** Lets go of the process for good (the governor closed). Idempotent. */
  close(): void {
    this.#enabled = false;
    if (this.#timer !== undefined) this.#clear?.(this.#timer);
    this.#timer = undefined;
  }
}
