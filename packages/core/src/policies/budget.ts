import { CreditBudget, type Reservation } from "../budget.js";
import type { CallInfo } from "../call-info.js";
import { STEP, TRANSPARENT } from "../compose.js";
import { isPromise } from "../is-promise.js";
import type { CallEndListener, Next, Policy, PolicyContext, PolicyKit, PolicySnapshot } from "../policy.js";
import { resolveBudget } from "../policy-options.js";

/** Options of {@link budgetPolicy}: the governor's `budget` option. */
export interface BudgetPolicyOptions {
  /** Credits (USD) the scope may spend per calendar month (UTC). */
  readonly monthlyUsd: number;
  /** What a call reserves when it does not say. @default 0.001 */
  readonly defaultEstimateUsd?: number;
  /** Estimates a call's cost from its info; undefined falls back to `defaultEstimateUsd`. */
  readonly estimateUsd?: (info: CallInfo) => number | undefined;
}

class BudgetPolicy implements Policy, CallEndListener<Reservation> {
  readonly name = "budget";
  // It acts before next and at the call's end, and hands next's promise on unchanged.
  readonly [TRANSPARENT] = true;
  readonly #budget: CreditBudget;

  constructor(budget: CreditBudget) {
    this.#budget = budget;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    let reservation: ReturnType<CreditBudget["reserve"]>;
    try {
      reservation = this.#budget.reserve(ctx.info, ctx.now());
    } catch (error) {
      return Promise.reject(error); // no room in the budget
    }
    if (!isPromise(reservation)) {
      this.#hold(ctx, reservation);
      return next(ctx);
    }
    return Promise.resolve(reservation).then((r) => {
      this.#hold(ctx, r);
      return next(ctx);
    });
  }

  // The reservation is settled when the call ends (a held stream reports its usage by then),
  // with what it reported or, for a success that reported nothing, with the estimate.
  #hold(ctx: PolicyContext, reservation: Reservation): void {
    ctx.estimatedCostUsd = reservation.amountUsd;
    ctx.onCallEnd(this, reservation);
    if (ctx.settled) throw ctx.cancelReason;
  }

  callEnded(reservation: Reservation, _outcome: unknown, costUsd: number): void {
    const settled = this.#budget.settle(reservation, costUsd);
    if (isPromise(settled)) Promise.resolve(settled).catch(() => {});
  }

  async snapshot(): Promise<PolicySnapshot> {
    return { credits: await this.#budget.read() };
  }
}

/**
 * Reserve-then-reconcile credit accounting (USD), outermost by default: a call reserves
 * its estimated cost in the month's ledger before anything else and is refused with
 * `BudgetExceededError` when it does not fit; when the call ends the reservation is
 * replaced by what it really cost. After a 402 from the upstream, every call is refused
 * until the month changes.
 *
 * @example
 * createGovernor({ policies: (defaults, kit) => [budgetPolicy(kit, { monthlyUsd: 2 }), ...defaults] });
 */
export function budgetPolicy(kit: PolicyKit, options: BudgetPolicyOptions): Policy {
  const o = resolveBudget(options);
  const budget = new CreditBudget(
    o,
    kit.store.ledger(kit.scope),
    kit.clock,
    kit.creditsExhausted,
    kit.defaultRequestClass,
  );
  return new BudgetPolicy(budget);
}
