import type { Attributes } from "@opentelemetry/api";
import { type BreakerOptions, BreakerRegistry } from "../breaker.js";
import { classifyWith } from "../classify.js";
import { STEP } from "../compose.js";
import type { Next, Policy, PolicyContext, PolicyKit, PolicyState } from "../policy.js";
import { resolveBreaker } from "../policy-options.js";
import { ATTR } from "../semconv.js";

const keyOf = (ctx: PolicyContext) => ctx.info.breakerKey ?? ctx.info.provider ?? ctx.requestClass;

class BreakerPolicy implements Policy {
  readonly name = "breaker";
  readonly #breakers: BreakerRegistry;

  constructor(breakers: BreakerRegistry) {
    this.#breakers = breakers;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    const breaker = this.#breakers.get(keyOf(ctx));
    const reporter = ctx.reporter;
    const action = () => next(ctx);
    if (!reporter.recording) return breaker.fire(action, reporter);
    // A transition seen by a recorded call becomes an event on its span.
    const before = breaker.state;
    const moved = () => {
      if (breaker.state !== before) reporter.breakerMoved(breaker.key, before, breaker.state);
    };
    return breaker.fire(action, reporter).then(
      (value) => {
        moved();
        return value;
      },
      (error: unknown) => {
        moved();
        throw error;
      },
    );
  }

  describe(ctx: PolicyContext, attributes: Attributes): void {
    const key = keyOf(ctx);
    attributes[ATTR.SWARMGATE_BREAKER_KEY] = key;
    const state = this.#breakers.states()[key];
    if (state) attributes[ATTR.SWARMGATE_BREAKER_STATE] = state;
  }

  state(): PolicyState {
    return { breakers: this.#breakers.states() };
  }

  close(): void {
    this.#breakers.shutdown();
  }
}

/**
 * Circuit breakers (opossum), one per breaker key (`info.breakerKey ?? info.provider ??
 * requestClass`): fail fast with `CircuitOpenError` while open; 429s, other 4xx and the
 * caller's aborts never count as failures; half-open lets one probe through. With a store
 * that shares breakers (Redis), one process opening a breaker opens it for the fleet. Each
 * transition is a `breaker` event (the concurrency policy restarts its ramp on `closed`).
 *
 * @example
 * createGovernor({ breaker: false, policies: (defaults, kit) => [...defaults, breakerPolicy(kit, { resetTimeoutMs: 5_000 })] });
 */
export function breakerPolicy(kit: PolicyKit, options: Partial<BreakerOptions> = {}): Policy {
  const o = resolveBreaker(options);
  const isFailure = (error: unknown) => classifyWith(kit.classifyError, error, false).breakerFailure;
  const store = kit.store;
  const breakers = new BreakerRegistry(
    o,
    isFailure,
    (key, state) => kit.events.emit("breaker", { key, state }),
    () => kit.clock.now(),
    store.breaker ? (key) => store.breaker?.(kit.scope, key) : undefined,
  );
  return new BreakerPolicy(breakers);
}
