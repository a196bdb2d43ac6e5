import type { SlotLease, SlotPool } from "@swarmgate/core";
import type { ScriptClient } from "./commands.js";
import type { FallbackSwitch } from "./fallback.js";

/** What a {@link RedisSlotPool} shares with its store. */
export interface SlotPoolContext {
  readonly client: ScriptClient;
  readonly link: FallbackSwitch;
  readonly fallbackShare: number;
  readonly leaseTtlMs: number;
  /** Unique per store instance, so lease ids of two processes never collide. */
  readonly owner: string;
}

/**
 * Concurrency slots of one scope as expiring leases in a Redis sorted set. Leases this
 * process holds are renewed by the store's heartbeat, so a long call keeps its slot and a
 * crashed process loses its slots after `leaseTtlMs`. Leases taken from the fallback are
 * whatever the local pool gives, Redis leases strings: `release` knows where each one goes.
 */
export class RedisSlotPool implements SlotPool {
  readonly #ctx: SlotPoolContext;
  readonly #key: string;
  readonly #local: SlotPool;
  readonly #held = new Set<string>();
  // Leases released while Redis was away: still in Redis, freed when it answers again.
  readonly #orphans = new Set<string>();
  #seq = 0;

  constructor(ctx: SlotPoolContext, key: string, local: SlotPool) {
    this.#ctx = ctx;
    this.#key = key;
    this.#local = local;
    ctx.link.onConnected(() => {
      this.#releaseOrphans().catch(() => {});
    });
  }

  tryAcquire(limit: number, now: number): Promise<SlotLease | undefined> {
    const id = `${this.#ctx.owner}:${++this.#seq}`;
    const { client, link, leaseTtlMs, fallbackShare } = this.#ctx;
    return link.call<SlotLease | undefined>(
      async () => {
        const deadline = link.deadline();
        if ((await client.swarmgateSlotAcquire(this.#key, limit, leaseTtlMs, id, deadline)) !== 1)
          return undefined;
        this.#held.add(id);
        return id;
      },
      () => this.#local.tryAcquire(Math.max(1, Math.floor(limit * fallbackShare)), now),
      // Granted after we stopped waiting: the caller got a fallback lease, so free this one.
      (lease) => {
        if (typeof lease === "string") void this.release(lease);
      },
    );
  }

  async release(lease: SlotLease): Promise<void> {
    if (typeof lease !== "string") {
      await this.#local.release(lease);
      return;
    }
    if (!this.#held.delete(lease)) return;
    // While Redis is away the lease cannot be removed: it is removed when Redis answers
    // again (or expires after its TTL, if this process is gone by then).
    await this.#ctx.link.call(
      () => this.#ctx.client.zrem(this.#key, lease),
      () => {
        this.#orphans.add(lease);
        return 0;
      },
    );
  }

  async #releaseOrphans(): Promise<void> {
    if (this.#orphans.size === 0) return;
    const leases = [...this.#orphans];
    this.#orphans.clear();
    await this.#ctx.link.call(
      () => this.#ctx.client.zrem(this.#key, ...leases),
      () => {
        for (const lease of leases) this.#orphans.add(lease);
        return 0;
      },
    );
  }

  inFlight(): number {
    return this.#held.size + this.#local.inFlight();
  }

  /** Pushes the expiry of every lease held here; forgets the ones Redis already let go. */
  async renew(): Promise<void> {
    if (this.#held.size === 0) return;
    const lost = await this.#ctx.link.call(
      () => this.#ctx.client.swarmgateSlotRenew(this.#key, this.#ctx.leaseTtlMs, ...this.#held),
      () => [] as string[],
    );
    for (const id of lost) this.#held.delete(id);
  }

  /** Frees every lease held here (on close). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#held].map((lease) => this.release(lease)));
  }
}
