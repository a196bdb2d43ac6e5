/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The source of time for every time-dependent part of swarmgate. Injecting one makes
 * tests deterministic and lets a simulator compress a 5-minute quota window into seconds.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin, as long as it only moves forward). */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds. Implementations must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The wall clock. It reads `Date.now` and `globalThis.setTimeout` at call time, so test
 * runners that install fake timers control it too. Timers are `unref`'d: a governor never
 * keeps a process alive by itself.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = globalThis.setTimeout(callback, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason as soon as `signal`
 * aborts. The timer and the abort listener are always removed, whichever comes first.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
