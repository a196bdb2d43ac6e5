import type { CallInfo } from "./call-info.js";
import type { Clock } from "./clock.js";
import { type CreditsExhausted, monthOf } from "./credits-exhausted.js";
import { BudgetExceededError } from "./errors.js";
import { isPromise } from "./is-promise.js";
import type { Awaitable, CreditLedger, CreditReservation } from "./quota-store.js";

export { CreditsExhausted, monthOf } from "./credits-exhausted.js";

/** Options of the credit budget. */
export interface BudgetOptions {
  /** Credits (USD) the scope may spend per calendar month (UTC). */
  readonly monthlyUsd: number;
  /**
   * The cost to reserve before a call when the call does not say (`estimatedCostUsd`).
   * Reconciled with the real cost when the call reports it. @default 0.001
   */
  readonly defaultEstimateUsd: number;
  /**
   * Estimates a call's cost from its info (model, provider, attributes) when the call does
   * not carry `estimatedCostUsd`; return undefined to fall back to `defaultEstimateUsd`.
   */
  readonly estimateUsd?: ((info: CallInfo) => number | undefined) | undefined;
}

/** A reservation to settle exactly once. */
export interface Reservation {
  readonly period: string;
  readonly amountUsd: number;
}

/**
 * Reserve-then-reconcile credit accounting: a call reserves its estimated cost before it
 * starts and is refused with {@link BudgetExceededError} when the reservation does not fit;
 * when it ends, the reservation is replaced by what it really cost.
 */
export class CreditBudget {
  readonly #options: BudgetOptions;
  readonly #ledger: CreditLedger;
  readonly #clock: Clock;
  // After a 402 the upstream has said the credits are gone: refuse until a probe finds them again.
  readonly #exhausted: CreditsExhausted;
  readonly #defaultClass: string;
  #periodName = "";
  #periodStart = Number.POSITIVE_INFINITY;
  #periodEnd = Number.NEGATIVE_INFINITY;

  constructor(
    options: BudgetOptions,
    ledger: CreditLedger,
    clock: Clock,
    exhausted: CreditsExhausted,
    defaultClass: string,
  ) {
    this.#exhausted = exhausted;
    this.#defaultClass = defaultClass;
    this.#options = options;
    this.#ledger = ledger;
    this.#clock = clock;
  }

  get monthlyUsd(): number {
    return this.#options.monthlyUsd;
  }

  /**
   * Reserves the call's estimated cost (its own, the estimator's, or the default) in the
   * current month. Synchronous with a synchronous ledger; throws {@link BudgetExceededError}
   * when it does not fit.
   */
  reserve(info: CallInfo, now = this.#clock.now()): Reservation | Promise<Reservation> {
    const period = this.#period(now);
    const amountUsd = info.estimatedCostUsd ?? this.#estimate(info) ?? this.#options.defaultEstimateUsd;
    // Calls go on to their attempt when a probe is due: the first one sent is the probe.
    const requestClass = info.requestClass ?? this.#defaultClass;
    if (this.#exhausted.refuses(requestClass, now)) throw this.#exhausted.error(requestClass, now, amountUsd);
    const result = this.#ledger.reserve(period, amountUsd, this.#options.monthlyUsd);
    if (isPromise(result)) return Promise.resolve(result).then((r) => this.#granted(r, period, amountUsd));
    return this.#granted(result, period, amountUsd);
  }

  #granted(result: CreditReservation, period: string, amountUsd: number): Reservation {
    if (!result.ok) {
      const remainingUsd = Math.max(0, this.#options.monthlyUsd - result.spentUsd - result.reservedUsd);
      throw new BudgetExceededError(
        `Credit budget exceeded: the call needs $${amountUsd.toFixed(6)}, $${remainingUsd.toFixed(6)} of $${this.#options.monthlyUsd} is left this month`,
        { requestedUsd: amountUsd, remainingUsd },
      );
    }
    return { period, amountUsd };
  }

  // The period string changes once a month: keep it until the next month starts.
  #period(now: number): string {
    if (now >= this.#periodStart && now < this.#periodEnd) return this.#periodName;
    const date = new Date(now);
    this.#periodStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    this.#periodEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    this.#periodName = monthOf(now);
    return this.#periodName;
  }

  #estimate(info: CallInfo): number | undefined {
    try {
      const usd = this.#options.estimateUsd?.(info);
      return typeof usd === "number" && Number.isFinite(usd) && usd >= 0 ? usd : undefined;
    } catch {
      return undefined; // a faulty estimator must not fail the call: the default applies
    }
  }

  /** Replaces `reservation` with `actualUsd`; synchronous with a synchronous ledger. */
  settle(reservation: Reservation, actualUsd: number): Awaitable<void> {
    return this.#ledger.settle(reservation.period, reservation.amountUsd, actualUsd);
  }

  /** Spent, reserved and remaining this month. */
  async read(): Promise<{ spentUsd: number; reservedUsd: number; remainingUsd: number; limitUsd: number }> {
    const { spentUsd, reservedUsd } = await this.#ledger.read(monthOf(this.#clock.now()));
    const exhausted = this.#exhausted.isExhausted();
    const remainingUsd = exhausted ? 0 : Math.max(0, this.#options.monthlyUsd - spentUsd - reservedUsd);
    return { spentUsd, reservedUsd, remainingUsd, limitUsd: this.#options.monthlyUsd };
  }
}
