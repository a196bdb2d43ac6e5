/**
 * Monthly included credits. An account is a token (its own credits) or an org (a pool
 * of per-seat credits that members charge with `X-HF-Bill-To`). A request is refused
 * with 402 once the account has spent its allowance, unless pay-as-you-go lets usage
 * run past it. Allowances renew every simulated 30-day month.
 */

/** Length of a simulated billing month. */
export const MONTH_MS = 30 * 24 * 3600 * 1000;

interface AccountState {
  month: number;
  spentUsd: number;
}

/** Spend per account. */
export class CreditLedger {
  readonly #payAsYouGo: boolean;
  readonly #accounts = new Map<string, AccountState>();

  /** @param payAsYouGo let spending go past the allowance instead of refusing. */
  constructor(payAsYouGo: boolean) {
    this.#payAsYouGo = payAsYouGo;
  }

  /** Whether `account` may start another paid request at simulated time `now`. */
  canSpend(account: string, allowanceUsd: number, now: number): boolean {
    return this.#payAsYouGo || this.#state(account, now).spentUsd < allowanceUsd;
  }

  /** Records `usd` spent by `account`. */
  charge(account: string, usd: number, now: number): void {
    this.#state(account, now).spentUsd += usd;
  }

  /** USD spent by `account` this month. */
  spent(account: string, now: number): number {
    return this.#state(account, now).spentUsd;
  }

  /** Forgets all spending. */
  reset(): void {
    this.#accounts.clear();
  }

  #state(account: string, now: number): AccountState {
    const month = Math.floor(now / MONTH_MS);
    let state = this.#accounts.get(account);
    if (!state || state.month !== month) {
      state = { month, spentUsd: 0 };
      this.#accounts.set(account, state);
    }
    return state;
  }
}
