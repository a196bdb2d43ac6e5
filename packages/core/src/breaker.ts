import CircuitBreaker from "opossum";
import { CircuitOpenError } from "./errors.js";

/** Options of the circuit breakers (opossum), one per upstream key. */
export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. @default 50 */
  readonly errorThresholdPercentage: number;
  /** How long the breaker stays open before letting one probe through (half-open). @default 30_000 */
  readonly resetTimeoutMs: number;
  /** Attempts in the rolling window before the breaker may open at all. @default 10 */
  readonly volumeThreshold: number;
  /** The rolling window over which failures are counted. @default 10_000 */
  readonly rollingWindowMs: number;
}

/** A breaker's state; `swarmgate.breaker.state` reports it as 0, 1, 2. */
export type BreakerState = "closed" | "half-open" | "open";

/** The numeric value of a state on the `swarmgate.breaker.state` gauge. */
export const breakerStateValue: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  "half-open": 1,
  open: 2,
};

type Action = () => Promise<unknown>;

/** One upstream's breaker. */
export class Breaker {
  readonly key: string;
  readonly #breaker: CircuitBreaker<[Action], unknown>;
  #openedAt = 0;
  readonly #resetTimeoutMs: number;
  readonly #now: () => number;

  constructor(
    key: string,
    options: BreakerOptions,
    isFailure: (error: unknown) => boolean,
    onState: (key: string, state: BreakerState) => void,
    now: () => number,
  ) {
    this.key = key;
    this.#resetTimeoutMs = options.resetTimeoutMs;
    this.#breaker = new CircuitBreaker<[Action], unknown>((action) => action(), {
      timeout: false, // attempt timeouts belong to the governor, which aborts the attempt's signal
      errorThresholdPercentage: options.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: 10,
      enableSnapshots: false,
      errorFilter: (error: unknown) => !isFailure(error),
      name: key,
    });
    this.#breaker.on("open", () => {
      this.#openedAt = now();
      onState(key, "open");
    });
    this.#breaker.on("halfOpen", () => onState(key, "half-open"));
    this.#breaker.on("close", () => onState(key, "closed"));
    this.#now = now;
  }

  get state(): BreakerState {
    if (this.#breaker.opened) return "open";
    return this.#breaker.halfOpen ? "half-open" : "closed";
  }

  /** Runs `action` through the breaker; rejects with {@link CircuitOpenError} while open. */
  fire<T>(action: () => Promise<T>): Promise<T> {
    return (this.#breaker.fire(action) as Promise<T>).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code === "EOPENBREAKER") {
        const retryAfterMs = Math.max(0, this.#openedAt + this.#resetTimeoutMs - this.#now());
        throw new CircuitOpenError(this.key, { retryAfterMs });
      }
      throw error;
    });
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.#breaker.shutdown();
  }
}

/** The breakers of one governor, created on first use of each key. */
export class BreakerRegistry {
  readonly #breakers = new Map<string, Breaker>();

  constructor(
    readonly options: BreakerOptions,
    readonly isFailure: (error: unknown) => boolean,
    readonly onState: (key: string, state: BreakerState) => void,
    readonly now: () => number,
  ) {}

  get(key: string): Breaker {
    let breaker = this.#breakers.get(key);
    if (!breaker) {
      breaker = new Breaker(key, this.options, this.isFailure, this.onState, this.now);
      this.#breakers.set(key, breaker);
    }
    return breaker;
  }

  /** Every breaker's state, by key. */
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
