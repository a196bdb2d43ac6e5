import type { AcquireResult } from "@swarmgate/core";

/** What Redis granted in one round trip. */
export interface Grant {
  readonly granted: number;
  readonly waitMs: number;
  readonly remaining: number;
  readonly blockedBy: string | undefined;
  /** Redis time of the decision. */
  readonly decidedAt: number;
  /** How long (ms, from when the request was sent) granted permits may still be handed out. */
  readonly validForMs: number;
}

/** An {@link AcquireResult} that also says which decision admitted it (tests and audits use it). */
export interface RedisAcquireResult extends AcquireResult {
  /** Redis time (epoch ms) of the decision that reserved the permit; absent for a fallback answer. */
  readonly decidedAt?: number | undefined;
  /** True when the permit came from the local stock of prefetched permits (not this round trip). */
  readonly prefetched?: boolean | undefined;
}

interface Pending {
  readonly count: number;
  readonly now: number;
  resolve(result: RedisAcquireResult): void;
}

/**
 * Turns many callers' `tryAcquire` into few round trips. While one request is at Redis,
 * callers queue; the next request asks for all of them at once (plus `prefetch` permits
 * when allowed). Permits granted beyond the callers' demand are kept and handed out
 * locally until they lapse: never more than were granted, never after their window ends.
 */
export class PermitBatcher {
  readonly #remote: (
    want: number,
    min: number,
    prefetching: boolean,
    now: number,
  ) => Promise<Grant | undefined>;
  readonly #local: (count: number, now: number) => RedisAcquireResult | PromiseLike<RedisAcquireResult>;
  readonly #prefetch: number;
  readonly #pending: Pending[] = [];
  #busy = false;
  #stock = 0;
  #stockUntil = 0;
  #stockDecidedAt = 0;

  constructor(
    remote: (want: number, min: number, prefetching: boolean, now: number) => Promise<Grant | undefined>,
    local: (count: number, now: number) => RedisAcquireResult | PromiseLike<RedisAcquireResult>,
    prefetch: number,
  ) {
    this.#remote = remote;
    this.#local = local;
    this.#prefetch = prefetch;
  }

  /** A permit from the local stock synchronously, else a promise of Redis's (or the fallback's) answer. */
  acquire(count: number, now: number): RedisAcquireResult | Promise<RedisAcquireResult> {
    if (this.#pending.length === 0 && this.#stock >= count && performance.now() < this.#stockUntil) {
      this.#stock -= count;
      return {
        ok: true,
        waitMs: 0,
        remaining: this.#stock,
        decidedAt: this.#stockDecidedAt,
        prefetched: true,
      };
    }
    return new Promise((resolve) => {
      this.#pending.push({ count, now, resolve });
      this.#flush();
    });
  }

  /** Forgets the local stock: the server moved the window, so reserved permits may not be valid. */
  discard(): void {
    this.#stock = 0;
  }

  #flush(): void {
    if (this.#busy || this.#pending.length === 0) return;
    if (performance.now() >= this.#stockUntil) this.#stock = 0;
    // Serve from stock first, in order.
    while (this.#pending.length > 0 && this.#stock >= this.#pending[0]!.count) {
      const p = this.#pending.shift()!;
      this.#stock -= p.count;
      p.resolve({
        ok: true,
        waitMs: 0,
        remaining: this.#stock,
        decidedAt: this.#stockDecidedAt,
        prefetched: true,
      });
    }
    if (this.#pending.length === 0) return;
    // Callers asking one permit are served together; one asking several goes alone (all-or-nothing).
    const first = this.#pending[0]!;
    let end = 1;
    if (first.count === 1) while (end < this.#pending.length && this.#pending[end]!.count === 1) end++;
    const batch = this.#pending.splice(0, end);
    const demand = first.count === 1 ? batch.length : first.count;
    const prefetching = this.#prefetch > 0;
    const sentAt = performance.now();
    this.#busy = true;
    this.#remote(demand + this.#prefetch, first.count, prefetching, first.now).then(
      (grant) => this.#settle(batch, grant, sentAt),
      () => this.#settle(batch, undefined, sentAt),
    );
  }

  async #settle(batch: Pending[], grant: Grant | undefined, sentAt: number): Promise<void> {
    try {
      if (grant === undefined) {
        for (const p of batch) p.resolve(await this.#local(p.count, p.now));
        return;
      }
      let left = grant.granted;
      for (const p of batch) {
        if (left >= p.count) {
          left -= p.count;
          p.resolve({ ok: true, waitMs: 0, remaining: grant.remaining + left, decidedAt: grant.decidedAt });
        } else {
          const waitMs = grant.waitMs < 0 ? Number.POSITIVE_INFINITY : Math.max(1, grant.waitMs);
          p.resolve({ ok: false, waitMs, remaining: grant.remaining, blockedBy: grant.blockedBy });
        }
      }
      if (left > 0 && grant.validForMs > 0) {
        this.#stock = left;
        this.#stockUntil = sentAt + grant.validForMs;
        this.#stockDecidedAt = grant.decidedAt;
      }
    } finally {
      this.#busy = false;
      this.#flush();
    }
  }
}
