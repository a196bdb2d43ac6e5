/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The source of time for every time-dependent part of swarmgate. Injecting one makes
 * tests deterministic and lets a simulator compress a 5-minute quota window into seconds.
 *
 * Timers need not keep the process alive: while any governed call is pending, the governor
 * holds the process open with one host timer of its own (and lets go when it is idle or
 * closed), unless the clock says `keepsProcessAlive: false`. Timers need not handle long
 * waits either: a governor arms at most {@link MAX_TIMER_MS} at a time on an injected clock.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin, as long as it only moves forward). */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds. Implementations need not keep the process alive. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Whether a call waiting on this clock keeps the process alive. A clock whose time moves
   * only when a test says so ({@link ManualClock}) has nothing to wait for. @default true
   */
  readonly keepsProcessAlive?: boolean;
}

/** The longest delay a host timer holds (2³¹−1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

// A wait longer than a host timer holds, re-armed in chunks until it is due.
class LongTimer {
  handle: TimerHandle;
}

/** A delay a timer can take: NaN and negatives are 0; `Infinity` stays (a timer that never fires). */
export function timerDelay(ms: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max(NaN, 0) is NaN; a NaN delay must be 0
  return ms > 0 ? ms : 0;
}

/**
 * Arms `callback` after `ms` on `set` (a host or clock `setTimeout`), in chunks of at most
 * {@link MAX_TIMER_MS}: a longer delay never overflows into a 1 ms loop, and `Infinity` never
 * fires. Cancel with {@link clearLongTimeout} and the same `clear`.
 */
export function setLongTimeout(
  now: () => number,
  set: (callback: () => void, ms: number) => TimerHandle,
  callback: () => void,
  ms: number,
): TimerHandle {
  const wait = timerDelay(ms);
  if (wait <= MAX_TIMER_MS) return set(callback, wait);
  const timer = new LongTimer();
  if (wait === Number.POSITIVE_INFINITY) return timer;
  const due = now() + wait;
  const arm = () => {
    const left = due - now();
    timer.handle = left > MAX_TIMER_MS ? set(arm, MAX_TIMER_MS) : set(callback, Math.max(0, left));
  };
  arm();
  return timer;
}

/** Cancels a timer from {@link setLongTimeout}. */
export function clearLongTimeout(clear: (handle: TimerHandle) => void, handle: TimerHandle): void {
  clear(handle instanceof LongTimer ? handle.handle : handle);
}

const hostSet = (callback: () => void, ms: number): TimerHandle => {
  const handle = globalThis.setTimeout(callback, ms);
  (handle as { unref?: () => void }).unref?.();
  return handle;
};
const hostClear = (handle: TimerHandle) => {
  if (handle !== undefined) globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
};

/**
 * The wall clock. It reads `Date.now` and `globalThis.setTimeout` at call time, so test
 * runners that install fake timers control it too. Timers are `unref`'d (the governor keeps
 * the process alive while calls are pending) and may be of any length.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setLongTimeout(Date.now, hostSet, callback, ms),
  clearTimeout: (handle) => clearLongTimeout(hostClear, handle),
};

/**
 * The clock a governor uses: `clock` itself when it is known to take any delay, else a view
 * of it that arms long delays in chunks and turns NaN or negative delays into 0.
 */
export function boundedClock(clock: Clock): Clock {
  if (clock === systemClock || (clock as { boundedTimers?: boolean }).boundedTimers === true) return clock;
  const now = () => clock.now();
  const set = (callback: () => void, ms: number) => clock.setTimeout(callback, ms);
  const clear = (handle: TimerHandle) => {
    if (handle !== undefined) clock.clearTimeout(handle);
  };
  return {
    now,
    setTimeout: (callback, ms) => setLongTimeout(now, set, callback, ms),
    clearTimeout: (handle) => clearLongTimeout(clear, handle),
    ...(clock.keepsProcessAlive === undefined ? {} : { keepsProcessAlive: clock.keepsProcessAlive }),
  };
}

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason as soon as `signal`
 * aborts. The timer and the abort listener are always removed, whichever comes first.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const bounded = boundedClock(clock);
    const onAbort = () => {
      bounded.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = bounded.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, timerDelay(ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
