/**
 * The simulator's source of time. `now()` is wall-clock milliseconds, like `Date.now()`;
 * tests inject a fake clock and move it by hand so window logic needs no real sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin). */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Simulated time: wall time compressed by `timeScale` around the moment the simulator
 * started. With `timeScale: 60` one wall second is one simulated minute, so a 5-minute
 * quota window lasts 5 wall seconds and latencies shrink by the same factor.
 */
export class SimulatedTime {
  readonly #clock: Clock;
  readonly #timeScale: number;
  readonly #origin: number;

  /** @param clock wall clock; @param timeScale simulated ms per wall ms. */
  constructor(clock: Clock, timeScale: number) {
    this.#clock = clock;
    this.#timeScale = timeScale;
    this.#origin = clock.now();
  }

  /** Simulated milliseconds since the simulator started. */
  now(): number {
    return (this.#clock.now() - this.#origin) * this.#timeScale;
  }

  /** Wall milliseconds that `simulatedMs` take. */
  toWallMs(simulatedMs: number): number {
    return simulatedMs / this.#timeScale;
  }

  /** Waits `simulatedMs` of simulated time on a real, unref'd timer. */
  sleep(simulatedMs: number): Promise<void> {
    const wallMs = this.toWallMs(simulatedMs);
    if (!(wallMs > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      setTimeout(resolve, wallMs).unref();
    });
  }
}
