import type { CreditLedger, CreditReservation } from "@swarmgate/core";
import type { ScriptClient } from "./commands.js";
import type { FallbackSwitch } from "./fallback.js";
import type { ScopeKeys } from "./keys.js";

// A month's ledger outlives the month by far: restarts, redeploys and late settlements
// all find it, and old months disappear on their own.
const LEDGER_TTL_MS = 100 * 24 * 3_600_000;
const EPSILON = 1e-12;

interface Owed {
  readonly period: string;
  readonly reservedUsd: number;
  readonly actualUsd: number;
}

/**
 * The credit ledger of one scope in Redis (one hash per month, atomic reserve and settle).
 * While Redis is unreachable, reservations are decided locally against this process's share
 * of what was left at the last answer, and settlements are kept and replayed when Redis is
 * back, so no spending is ever lost.
 */
export class RedisLedger implements CreditLedger {
  readonly #client: ScriptClient;
  readonly #link: FallbackSwitch;
  readonly #keys: ScopeKeys;
  readonly #share: number;
  // The last answer from Redis per period, and what this process did since without it.
  readonly #seen = new Map<string, { spentUsd: number; reservedUsd: number }>();
  readonly #localReserved = new Map<string, number>();
  readonly #owed: Owed[] = [];
  #flushing = false;

  constructor(client: ScriptClient, link: FallbackSwitch, keys: ScopeKeys, share: number) {
    this.#client = client;
    this.#link = link;
    this.#keys = keys;
    this.#share = share;
    link.onConnected(() => void this.flush());
  }

  reserve(period: string, amountUsd: number, limitUsd: number): Promise<CreditReservation> {
    const key = this.#keys.ledger(period);
    return this.#link.call(
      async () => {
        const [ok, spent, reserved] = await this.#client.swarmgateLedgerReserve(
          key,
          amountUsd,
          limitUsd,
          LEDGER_TTL_MS,
        );
        const view = { spentUsd: Number(spent), reservedUsd: Number(reserved) };
        this.#seen.set(period, view);
        return { ok: Number(ok) === 1, ...view };
      },
      () => this.#reserveLocally(period, amountUsd, limitUsd),
      // Reserved in Redis after we stopped waiting (and decided locally): give it back.
      (late) => {
        if (late.ok) this.#owe({ period, reservedUsd: amountUsd, actualUsd: 0 });
      },
    );
  }

  async settle(period: string, reservedUsd: number, actualUsd: number): Promise<void> {
    // Reservations are interchangeable amounts: while the fallback holds some, settle those first.
    const local = this.#localReserved.get(period) ?? 0;
    if (local > EPSILON) {
      this.#localReserved.set(period, Math.max(0, local - reservedUsd));
      this.#owe({ period, reservedUsd: Math.max(0, reservedUsd - local), actualUsd });
      return;
    }
    await this.#link.call(
      () =>
        this.#client.swarmgateLedgerSettle(this.#keys.ledger(period), reservedUsd, actualUsd, LEDGER_TTL_MS),
      () => {
        this.#owed.push({ period, reservedUsd, actualUsd });
        return 0;
      },
    );
  }

  read(period: string): Promise<{ spentUsd: number; reservedUsd: number }> {
    return this.#link.call(
      async () => {
        const [spent, reserved] = await this.#client.hmget(this.#keys.ledger(period), "spent", "reserved");
        const view = { spentUsd: Number(spent ?? 0), reservedUsd: Number(reserved ?? 0) };
        this.#seen.set(period, view);
        return this.#withOwed(period, view);
      },
      () => this.#withOwed(period, this.#seen.get(period) ?? { spentUsd: 0, reservedUsd: 0 }),
    );
  }

  /** Replays the settlements made while Redis was away. */
  async flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#owed.length > 0) {
        const o = this.#owed[0]!;
        await this.#client.swarmgateLedgerSettle(
          this.#keys.ledger(o.period),
          o.reservedUsd,
          o.actualUsd,
          LEDGER_TTL_MS,
        );
        this.#owed.shift();
      }
    } catch {
      // still unreachable: the next reconnection replays the rest
    } finally {
      this.#flushing = false;
    }
  }

  #owe(owed: Owed): void {
    this.#owed.push(owed);
    if (this.#link.status === "connected") void this.flush();
  }

  // What this process has done without Redis since its last answer, applied to that answer.
  #withOwed(period: string, seen: { spentUsd: number; reservedUsd: number }) {
    let spentUsd = seen.spentUsd;
    let reservedUsd = seen.reservedUsd + (this.#localReserved.get(period) ?? 0);
    for (const o of this.#owed)
      if (o.period === period) {
        spentUsd += o.actualUsd;
        reservedUsd -= o.reservedUsd;
      }
    return { spentUsd, reservedUsd: Math.max(0, reservedUsd) };
  }

  #reserveLocally(period: string, amountUsd: number, limitUsd: number): CreditReservation {
    const seen = this.#seen.get(period) ?? { spentUsd: 0, reservedUsd: 0 };
    const view = this.#withOwed(period, seen);
    // This process's share of what was left when Redis last answered, less what it used since.
    const headroom = Math.max(0, limitUsd - seen.spentUsd - seen.reservedUsd) * this.#share;
    const usedSince = view.spentUsd - seen.spentUsd + view.reservedUsd - seen.reservedUsd;
    const ok = usedSince + amountUsd <= headroom + EPSILON;
    if (ok) this.#localReserved.set(period, (this.#localReserved.get(period) ?? 0) + amountUsd);
    return { ok, spentUsd: view.spentUsd, reservedUsd: view.reservedUsd + (ok ? amountUsd : 0) };
  }
}
