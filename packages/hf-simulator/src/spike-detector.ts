/**
 * Spike protection, deterministic: arrivals are counted per key in one-second slots of
 * simulated time. An arrival is rejected when the arrivals of the current slot
 * (including itself) exceed `factor × mean(previous baselineSeconds slots) + floor`.
 *
 * A smooth ramp raises the baseline as it goes and passes; an instant 0 → 100 burst
 * meets a baseline of 0 and only `floor` arrivals get through. Rejected arrivals still
 * count: a client that hammers after a 503 keeps the current slot hot.
 */

/** Spike detector configuration. */
export interface SpikeDetectorOptions {
  /** Arrivals per second always allowed. */
  readonly floor: number;
  /** Multiple of the baseline rate allowed on top of the floor. */
  readonly factor: number;
  /** Previous seconds averaged into the baseline. */
  readonly baselineSeconds: number;
}

/** Per-key arrival history and the reject rule. */
export class SpikeDetector {
  readonly #options: SpikeDetectorOptions;
  // key → arrivals per second slot (only recent slots are kept).
  readonly #slots = new Map<string, Map<number, number>>();

  /** @param options floor, factor and baseline length. */
  constructor(options: SpikeDetectorOptions) {
    this.#options = options;
  }

  /** Records an arrival for `key` at simulated ms `now`; `true` when it must be rejected. */
  arrive(key: string, now: number): boolean {
    const { floor, factor, baselineSeconds } = this.#options;
    const second = Math.floor(now / 1000);
    let slots = this.#slots.get(key);
    if (!slots) {
      slots = new Map();
      this.#slots.set(key, slots);
    }
    for (const slot of slots.keys()) if (slot < second - baselineSeconds) slots.delete(slot);
    const current = (slots.get(second) ?? 0) + 1;
    slots.set(second, current);
    let previous = 0;
    for (let s = second - baselineSeconds; s < second; s++) previous += slots.get(s) ?? 0;
    return current > factor * (previous / baselineSeconds) + floor;
  }

  /** Forgets all history. */
  reset(): void {
    this.#slots.clear();
  }
}
