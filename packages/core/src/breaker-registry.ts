import { Breaker, type BreakerOptions, type BreakerState } from "./breaker.js";
import type { SharedBreaker } from "./quota-store.js";

/**
 * How many breakers a governor keeps: one per upstream key a call names (`provider`,
 * `breakerKey`), so a caller naming a new key per call must not grow it without bound.
 */
export const MAX_BREAKERS = 1024;

/**
 * The breakers of one governor, created on first use of each key. Past {@link MAX_BREAKERS}
 * keys, the oldest closed breaker is dropped (its counts start again if its key returns);
 * open and half-open ones are kept, so no key that is failing fast is forgotten.
 */
export class BreakerRegistry {
  readonly #breakers = new Map<string, Breaker>();

  constructor(
    readonly options: BreakerOptions,
    readonly isFailure: (error: unknown) => boolean,
    readonly onState: (key: string, state: BreakerState) => void,
    readonly now: () => number,
    readonly shared?: (key: string) => SharedBreaker | undefined,
  ) {}

  get(key: string): Breaker {
    let breaker = this.#breakers.get(key);
    if (!breaker) {
      if (this.#breakers.size >= MAX_BREAKERS) this.#evict();
      breaker = new Breaker(key, this.options, this.isFailure, this.onState, this.now, this.shared?.(key));
      this.#breakers.set(key, breaker);
    }
    return breaker;
  }

  #evict(): void {
    for (const [key, breaker] of this.#breakers) {
      if (breaker.state !== "closed") continue;
      breaker.shutdown();
      this.#breakers.delete(key);
      return;
    }
  }

  /** Every breaker's state, by key. */
  /** The state of `key`'s breaker, if it has one (makes none). */
  stateOf(key: string): BreakerState | undefined {
    return this.#breakers.get(key)?.state;
  }

  states(): Record<string, BreakerState> {
    const out: Record<string, BreakerState> = {};
    for (const [key, breaker] of this.#breakers) out[key] = breaker.state;
    return out;
  }

  shutdown(): void {
    for (const breaker of this.#breakers.values()) breaker.shutdown();
    this.#breakers.clear();
  }
}
