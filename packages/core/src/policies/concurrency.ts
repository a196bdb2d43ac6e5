import { STEP } from "../compose.js";
import { ConcurrencyLimiter, type ConcurrencyOptions } from "../concurrency.js";
import { isPromise } from "../is-promise.js";
import type { AttemptEndListener, Next, Policy, PolicyContext, PolicyKit, PolicyState } from "../policy.js";
import { resolveConcurrency } from "../policy-options.js";
import type { SlotLease } from "../quota-store.js";

const INFINITE = Number.POSITIVE_INFINITY;

class ConcurrencyPolicy implements Policy, AttemptEndListener<SlotLease> {
  readonly name = "concurrency";
  readonly #limiter: ConcurrencyLimiter;
  readonly #classes: ReadonlySet<string>;
  readonly #kit: PolicyKit;

  constructor(kit: PolicyKit, limiter: ConcurrencyLimiter, classes: ReadonlySet<string>) {
    this.#kit = kit;
    this.#limiter = limiter;
    this.#classes = classes;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    if (!this.#classes.has(ctx.requestClass)) return next(ctx);
    if (ctx.settled) return Promise.reject(ctx.cancelReason);
    const info = ctx.info;
    // Only a queue that orders by priority or agent needs to know them.
    const request =
      info.priority === undefined && info.agent === undefined
        ? ctx.signal
        : { deadline: INFINITE, signal: ctx.signal, priority: info.priority, agent: info.agent };
    const lease = this.#limiter.acquire(request, ctx.now());
    if (!isPromise(lease)) {
      ctx.onAttemptEnd(this, lease);
      return next(ctx);
    }
    const clock = this.#kit.clock;
    const since = clock.now();
    return (lease as Promise<SlotLease>).then((l) => {
      ctx.onAttemptEnd(this, l);
      ctx.reporter.throttled("local_concurrency", clock.now() - since);
      return next(ctx);
    });
  }

  // The slot goes back when the attempt ends (a held stream: when it ended); AIMD learns
  // from how it ended.
  attemptEnded(lease: SlotLease, failed: boolean, error: unknown, ctx: PolicyContext): void {
    const limiter = this.#limiter;
    limiter.release(lease);
    if (!failed) limiter.succeeded();
    else {
      const reason = ctx.classify(error).reason;
      if (reason === "overloaded" || reason === "timeout") limiter.overloaded();
    }
  }

  state(): PolicyState {
    const l = this.#limiter;
    return { concurrency: { limit: l.limit(), inFlight: l.inFlight, queued: l.queued } };
  }

  close(error: unknown): void {
    this.#limiter.drain(error);
  }
}

/**
 * A concurrency limit for the calls of `classes` (default `["inference"]`): it ramps
 * linearly from `initial` to `max` over `rampMs` (after an outage, when a breaker closes
 * again, it resumes at the limit it had before), moves by
 * AIMD on 503s and timeouts when `adaptive`, and queues waiting callers in `kit.queue` order
 * up to `maxQueue` (`QueueFullError` past it). The slot is held for the attempt, or until a
 * stream that called `holdSlot()` ends.
 *
 * @example
 * createGovernor({ concurrency: false, policies: (d, kit) => [...d, concurrencyPolicy(kit, { initial: 4, max: 16 })] });
 */
export function concurrencyPolicy(
  kit: PolicyKit,
  options: Partial<ConcurrencyOptions> = {},
  classes: readonly string[] = ["inference"],
): Policy {
  const o = resolveConcurrency(options);
  const limiter = new ConcurrencyLimiter(o, kit.store.slots(kit.scope), kit.clock, kit.queue);
  kit.events.on("breaker", (event) => {
    if (event.state === "open") limiter.outageBegan();
    else if (event.state === "closed") limiter.outageEnded();
  });
  return new ConcurrencyPolicy(kit, limiter, new Set(classes));
}
