import type { Clock } from "./clock.js";
import { BudgetExceededError } from "./errors.js";
import type { CreditLedger } from "./quota-store.js";

/** Options of the credit budget. */
export interface BudgetOptions {
  /** Credits (USD) the scope may spend per calendar month (UTC). */
  readonly monthlyUsd: number;
  /**
   * The cost to reserve before a call when the call does not say (`estimatedCostUsd`).
   * Reconciled with the real cost when the call reports it. @default 0.001
   */
  readonly defaultEstimateUsd: number;
}

/** The calendar month (UTC) of `epochMs`, e.g. `"2026-11"`: the period credits reset in. */
export function monthOf(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
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
  // After a 402 the upstream has said the credits are gone: refuse until the period changes.
  #exhaustedPeriod: string | undefined;

  constructor(options: BudgetOptions, ledger: CreditLedger, clock: Clock) {
    this.#options = options;
    this.#ledger = ledger;
    this.#clock = clock;
  }

  get monthlyUsd(): number {
    return this.#options.monthlyUsd;
  }

  /** Reserves `estimateUsd` (or the default estimate) in the current month. */
  async reserve(estimateUsd: number | undefined): Promise<Reservation> {
    const period = monthOf(this.#clock.now());
    const amountUsd = estimateUsd ?? this.#options.defaultEstimateUsd;
    if (this.#exhaustedPeriod === period)
      throw new BudgetExceededError("The upstream reported the credits exhausted (402) for this month", {
        requestedUsd: amountUsd,
        remainingUsd: 0,
        status: 402,
      });
    const result = await this.#ledger.reserve(period, amountUsd, this.#options.monthlyUsd);
    if (!result.ok) {
      const remainingUsd = Math.max(0, this.#options.monthlyUsd - result.spentUsd - result.reservedUsd);
      throw new BudgetExceededError(
        `Credit budget exceeded: the call needs $${amountUsd.toFixed(6)}, $${remainingUsd.toFixed(6)} of $${this.#options.monthlyUsd} is left this month`,
        { requestedUsd: amountUsd, remainingUsd },
      );
    }
    return { period, amountUsd };
  }

  /** Replaces `reservation` with `actualUsd`. */
  async settle(reservation: Reservation, actualUsd: number): Promise<void> {
    await this.#ledger.settle(reservation.period, reservation.amountUsd, actualUsd);
  }

  /** Marks this month's credits as exhausted (the upstream answered 402). */
  markExhausted(): void {
    this.#exhaustedPeriod = monthOf(this.#clock.now());
  }

  /** Spent, reserved and remaining this month. */
  async read(): Promise<{ spentUsd: number; reservedUsd: number; remainingUsd: number; limitUsd: number }> {
    const { spentUsd, reservedUsd } = await this.#ledger.read(monthOf(this.#clock.now()));
    const exhausted = this.#exhaustedPeriod === monthOf(this.#clock.now());
    const remainingUsd = exhausted ? 0 : Math.max(0, this.#options.monthlyUsd - spentUsd - reservedUsd);
    return { spentUsd, reservedUsd, remainingUsd, limitUsd: this.#options.monthlyUsd };
  }
}
