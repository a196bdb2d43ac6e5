import { trace } from "@opentelemetry/api";
import type { WindowCorrection, WindowGroup, WindowSnapshot, WindowSpec } from "@swarmgate/core";
import type { ScriptClient } from "./commands.js";
import { FALLBACK_ATTRIBUTE, type FallbackSwitch } from "./fallback.js";
import { FallbackWindows, type KnownWindow, knownWindows } from "./fallback-windows.js";
import type { ScopeKeys } from "./keys.js";
import { type Grant, PermitBatcher, type RedisAcquireResult } from "./permit-batcher.js";

/** What a {@link RedisWindowGroup} shares with its store. */
export interface WindowGroupContext {
  readonly client: ScriptClient;
  readonly link: FallbackSwitch;
  readonly keys: ScopeKeys;
  readonly fallbackShare: number;
  readonly prefetch: number;
  readonly prefetchMs: number;
  /** How long after Redis answers again every process keeps to its share (at least; to a boundary). */
  readonly recoveryHoldMs: number;
  /** Unique per store instance: names this process's replays. */
  readonly owner: string;
}

const scale = (value: number, share: number) => Math.max(1, Math.floor(value * share));

/**
 * Where a group decides: on Redis; on its local fallback while Redis is away; or, after
 * Redis answered again, still on its share until the swarm-wide recovery instant (`hold`).
 */
export type WindowGroupMode = "redis" | "fallback" | "hold";

/**
 * The windows of one request class, kept in Redis and decided by one Lua script per round
 * trip, atomically across the group. Concurrent callers of one process share a round trip
 * ({@link PermitBatcher}). When Redis is unreachable, local windows answer: limits scaled by
 * `fallbackShare`, seeded from what Redis last said; when it answers again, what they
 * admitted is written back once (REPLAY), and every process stays on its share until the
 * first window boundary at least `recoveryHoldMs` later, so that the swarm goes back to the
 * shared count at one instant.
 */
export class RedisWindowGroup implements WindowGroup {
  readonly #ctx: WindowGroupContext;
  readonly #specs: readonly WindowSpec[];
  readonly #head: (string | number)[];
  readonly #batcher: PermitBatcher;
  #known: (KnownWindow | undefined)[] = [];
  #mode: WindowGroupMode = "redis";
  #fallback: FallbackWindows | undefined;
  #lostAt = 0;
  #holdUntil = 0;
  #pending: { readonly seq: number; readonly args: number[] } | undefined;
  #replays = 0;
  #recovering: Promise<void> | undefined;
  #callerOffset = 0;
  // The caller's clock minus Date.now(), at its last call: reads the caller's clock at a reply.
  #callerMinusWall = 0;

  constructor(ctx: WindowGroupContext, requestClass: string, specs: readonly WindowSpec[]) {
    this.#ctx = ctx;
    this.#specs = specs;
    const keys = specs.flatMap((s) => [
      ctx.keys.window(requestClass, s.name),
      ctx.keys.windowLog(requestClass, s.name),
    ]);
    const args = specs.flatMap((s) => [
      s.limit,
      s.windowMs,
      s.kind === "sliding" ? 1 : 0,
      s.smoothing?.burst ?? 0,
    ]);
    this.#head = [keys.length, ...keys, specs.length, ...args];
    // A permit handed out later than it was reserved could bunch up against a token
    // bucket's rate: smoothed groups are served only with permits reserved for waiting callers.
    const prefetch = specs.some((s) => s.smoothing) ? 0 : ctx.prefetch;
    this.#batcher = new PermitBatcher(
      (want, min, prefetching, now) => this.#reserve(want, min, prefetching, now),
      (count, now) => this.#local(count, now),
      prefetch,
    );
    // An idle group writes back what it owes as soon as the store is back, not at its next call.
    ctx.link.onConnected(() => {
      if (this.#mode === "fallback") this.#recover(this.#callerNow()).catch(() => {});
    });
  }

  /** Where this group decides now: on Redis, on its fallback, or holding to its share after an outage. */
  get mode(): WindowGroupMode {
    return this.#mode;
  }

  tryAcquire(count: number, now: number): RedisAcquireResult | Promise<RedisAcquireResult> {
    this.#callerMinusWall = now - Date.now();
    return this.#batcher.acquire(count, now);
  }

  async correct(correction: WindowCorrection, now: number): Promise<void> {
    this.#batcher.discard();
    const share = this.#ctx.fallbackShare;
    this.#fallback?.correct(
      {
        ...correction,
        remaining: correction.remaining === undefined ? undefined : Math.floor(correction.remaining * share),
        quota: correction.quota === undefined ? undefined : scale(correction.quota, share),
      },
      now,
    );
    const opt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "" : Math.round(v));
    await this.#ctx.link.call(
      () =>
        this.#ctx.client.swarmgateCorrect(
          ...(this.#head as [number, ...string[]]),
          opt(correction.remaining),
          opt(correction.resetMs),
          opt(correction.quota),
          opt(correction.windowMs),
          correction.exhausted ? 1 : 0,
        ),
      () => 0,
    );
  }

  /** Reconciles a weighted take in Redis (one script), or locally while the group is not on Redis. */
  async adjust(delta: number, now: number, takenAt: number): Promise<void> {
    const n = Math.round(delta);
    if (n === 0) return;
    if (this.#mode !== "redis") {
      this.#fallback?.adjust(n, now, takenAt);
      return;
    }
    const ageMs = Math.max(0, Math.round(now - takenAt));
    await this.#ctx.link.call(
      () => this.#ctx.client.swarmgateAdjust(...(this.#head as [number, ...string[]]), n, ageMs),
      () => {
        this.#fallback?.adjust(n, now, takenAt);
        return 0;
      },
    );
  }

  snapshot(now: number): Promise<readonly WindowSnapshot[]> {
    return this.#ctx.link.call(
      async () => {
        const out = await this.#ctx.client.swarmgateSnapshot(...(this.#head as [number, ...string[]]));
        const redisNow = Number(out[0]);
        return this.#specs.map((s, i) => ({
          name: s.name,
          limit: Number(out[1 + i * 3]),
          remaining: Number(out[2 + i * 3]),
          resetAt: Number(out[3 + i * 3]) - redisNow + now,
        }));
      },
      () => (this.#fallback ?? this.#seeded(now)).snapshot(now),
    );
  }

  async #reserve(want: number, min: number, prefetching: boolean, now: number): Promise<Grant | undefined> {
    if (this.#mode !== "redis" && !(await this.#recover(now))) return undefined;
    const stampOffset = prefetching ? this.#ctx.prefetchMs : 0;
    // Past this Redis instant nobody waits for the answer: Redis then takes nothing.
    const deadline = this.#ctx.link.deadline();
    return this.#ctx.link.call(
      async () => {
        const r = (
          await this.#ctx.client.swarmgateAcquire(
            ...(this.#head as [number, ...string[]]),
            want,
            min,
            stampOffset,
            deadline,
          )
        ).map(Number);
        const [granted, waitMs, remaining, blockedBy, redisNow, earliestReset, expired] = r as number[];
        this.#ctx.link.heard(redisNow!);
        if (expired === 1)
          return {
            granted: 0,
            waitMs: 1,
            remaining: 0,
            blockedBy: undefined,
            decidedAt: redisNow!,
            validForMs: 0,
          };
        this.#learn(r, 7, redisNow!);
        // Reserved permits stay valid only inside the window that counted them.
        const untilReset = earliestReset! >= 0 ? earliestReset! - redisNow! : Number.POSITIVE_INFINITY;
        return {
          granted: granted!,
          waitMs: waitMs!,
          remaining: remaining!,
          blockedBy: blockedBy! > 0 ? this.#specs[blockedBy! - 1]?.name : undefined,
          decidedAt: redisNow!,
          validForMs: prefetching ? Math.min(this.#ctx.prefetchMs, untilReset) : 0,
        };
      },
      () => undefined,
    );
  }

  #local(count: number, now: number): RedisAcquireResult {
    if (this.#fallback === undefined) {
      // When Redis went away for this process, on Redis's clock as last known.
      this.#lostAt = this.#ctx.link.lostAt();
      this.#fallback = this.#seeded(now, this.#lostAt - this.#callerOffset);
      this.#mode = "fallback";
    }
    trace.getActiveSpan()?.setAttribute(FALLBACK_ATTRIBUTE, true);
    return this.#fallback.tryAcquire(count, now);
  }

  #seeded(now: number, lostAt = now): FallbackWindows {
    return new FallbackWindows(this.#specs, this.#ctx.fallbackShare, this.#known, now, lostAt);
  }

  /**
   * One write-back at a time; callers of this group wait for it rather than race it.
   * Resolves to whether the group decides on Redis again.
   */
  async #recover(now: number): Promise<boolean> {
    this.#recovering ??= this.#recoverOnce(now).finally(() => {
      this.#recovering = undefined;
    });
    await this.#recovering;
    return this.#mode === "redis";
  }

  async #recoverOnce(now: number): Promise<void> {
    for (;;) {
      const holding = this.#mode === "hold" && now < this.#holdUntil;
      if (this.#mode === "redis" || (holding && this.#fallback?.owes !== true)) return;
      const askHold = this.#mode === "fallback" ? this.#ctx.recoveryHoldMs : 0;
      const hold = await this.#replay(now, askHold);
      if (hold === undefined) {
        this.#mode = "fallback";
        return;
      }
      if (askHold > 0 && hold > 0) {
        this.#holdUntil = hold - this.#callerOffset;
        this.#mode = "hold";
      } else if (!holding && this.#fallback?.owes !== true) {
        this.#mode = "redis";
        this.#fallback = undefined;
        return;
      }
    }
  }

  /**
   * Sends what the fallback owes, frozen under one number when it is actually sent (a replay
   * whose answer was lost goes again unchanged, so Redis counts it once); the hold, or
   * undefined when Redis did not answer.
   */
  async #replay(now: number, holdMs: number): Promise<number | undefined> {
    const out = await this.#ctx.link.call(
      () => {
        this.#pending ??= this.#freeze(now);
        const { seq, args } = this.#pending;
        return this.#ctx.client.swarmgateReplay(
          ...(this.#head as [number, ...string[]]),
          this.#ctx.owner,
          seq,
          Math.round(this.#lostAt),
          holdMs,
          ...args,
        );
      },
      () => undefined,
    );
    if (out === undefined) return undefined;
    this.#pending = undefined;
    const r = out.map(Number);
    this.#ctx.link.heard(r[0]!);
    this.#learn(r, 2, r[0]!);
    return r[1]!;
  }

  #freeze(now: number): { readonly seq: number; readonly args: number[] } {
    // Redis time minus the caller's clock (before any answer, assume they agree).
    const args = (this.#fallback?.takeOwed(now) ?? []).flatMap((o) => [
      o.count,
      Number.isFinite(o.windowEnd) ? Math.round(o.windowEnd + this.#callerOffset) : -1,
      o.knownUsed,
    ]);
    return { seq: ++this.#replays, args };
  }

  #callerNow(): number {
    return Date.now() + this.#callerMinusWall;
  }

  // Maps Redis's instant to the moment its answer arrived, never earlier than it was: a
  // fallback window then starts a round trip late at worst, never early.
  #learn(r: readonly number[], from: number, redisNow: number): void {
    const now = this.#callerNow();
    this.#callerOffset = redisNow - now;
    this.#known = knownWindows(r, from, this.#specs.length, redisNow, now);
  }
}
