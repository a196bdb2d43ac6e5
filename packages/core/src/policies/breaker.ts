import type { Attributes } from "@opentelemetry/api";
import type { Breaker, BreakerOptions } from "../breaker.js";
import { BreakerRegistry } from "../breaker-registry.js";
import { classifyWith } from "../classify.js";
import { STEP } from "../compose.js";
import { CircuitOpenError } from "../errors.js";
import type { Next, Policy, PolicyContext, PolicyKit, PolicyState } from "../policy.js";
import { resolveBreaker } from "../policy-options.js";
import { ATTR } from "../semconv.js";
import { MAX_SERVER_WAIT_MS } from "../server-wait.js";

const keyOf = (ctx: PolicyContext) => ctx.info.breakerKey ?? ctx.info.provider ?? ctx.requestClass;

// A refusal of this very breaker (not an open circuit of a nested call).
const refusedBy = (error: unknown, breaker: Breaker): error is CircuitOpenError =>
  error instanceof CircuitOpenError && error.breakerKey === breaker.key;

class BreakerPolicy implements Policy {
  readonly name = "breaker";
  readonly #breakers: BreakerRegistry;
  readonly #waitForProbe: boolean;
  // Per key, settled at the breaker's next move: what waiting callers wake on.
  readonly #moves = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  constructor(breakers: BreakerRegistry, waitForProbe: boolean) {
    this.#breakers = breakers;
    this.#waitForProbe = waitForProbe;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  /** The breaker of `key` moved: every caller waiting on it looks again. */
  moved(key: string): void {
    const move = this.#moves.get(key);
    if (!move) return;
    this.#moves.delete(key);
    move.resolve();
  }

  #nextMove(key: string): Promise<void> {
    let move = this.#moves.get(key);
    if (!move) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      move = { promise, resolve };
      this.#moves.set(key, move);
    }
    return move.promise;
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    const breaker = this.#breakers.get(keyOf(ctx));
    if (this.#waitForProbe && (breaker.state !== "closed" || breaker.shared))
      return this.#waiting(ctx, next, breaker);
    return this.#fire(ctx, next, breaker);
  }

  // Open: wait until it half-opens; half-open with the probe out: wait for the probe's
  // answer; then try again. Only a call whose deadline comes first fails fast.
  async #waiting<T>(ctx: PolicyContext, next: Next<T>, breaker: Breaker): Promise<T> {
    for (;;) {
      try {
        return await this.#fire(ctx, next, breaker);
      } catch (error) {
        if (!refusedBy(error, breaker) || ctx.settled) throw error;
        const left = ctx.deadline - ctx.now();
        const wait = error.retryAfterMs ?? 0;
        if (wait > left) throw error;
        // No move for five minutes (a probe that never answers): look again anyway.
        const since = ctx.now();
        await ctx.sleep(Math.min(wait > 0 ? wait : left, MAX_SERVER_WAIT_MS), this.#nextMove(breaker.key));
        if (ctx.now() > since) ctx.reporter.waited("breaker_open", ctx.now() - since);
        if (ctx.settled) throw ctx.cancelReason;
      }
    }
  }

  #fire<T>(ctx: PolicyContext, next: Next<T>, breaker: Breaker): Promise<T> {
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
    const state = this.#breakers.stateOf(key);
    if (state) attributes[ATTR.SWARMGATE_BREAKER_STATE] = state;
  }

  state(): PolicyState {
    return { breakers: this.#breakers.states() };
  }

  close(): void {
    this.#breakers.shutdown();
    for (const key of [...this.#moves.keys()]) this.moved(key);
  }
}

/**
 * Circuit breakers (opossum), one per breaker key (`info.breakerKey ?? info.provider ??
 * requestClass`): while open, a call waits for the half-open probe and goes on when it
 * succeeds (`waitForProbe`, the default), or fails fast with `CircuitOpenError` (when its
 * deadline comes first, or with `waitForProbe: false`); 429s, cold starts, other 4xx and the
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
  let policy: BreakerPolicy | undefined;
  const breakers = new BreakerRegistry(
    o,
    isFailure,
    (key, state) => {
      policy?.moved(key);
      kit.events.emit("breaker", { key, state });
    },
    () => kit.clock.now(),
    store.breaker ? (key) => store.breaker?.(kit.scope, key) : undefined,
  );
  policy = new BreakerPolicy(breakers, o.waitForProbe);
  return policy;
}
