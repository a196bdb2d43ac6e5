import type { WindowCorrection, WindowGroup, WindowSnapshot, WindowSpec } from "@swarmgate/core";
import type { ScriptClient } from "./commands.js";
import type { FallbackSwitch } from "./fallback.js";
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
}

const scale = (value: number, share: number) => Math.max(1, Math.floor(value * share));

/** The specs of the local fallback: each limit and burst scaled to this process's share. */
export function fallbackSpecs(specs: readonly WindowSpec[], share: number): WindowSpec[] {
  return specs.map((s) => ({
    ...s,
    limit: scale(s.limit, share),
    smoothing: s.smoothing ? { burst: scale(s.smoothing.burst, share) } : undefined,
  }));
}

/**
 * The windows of one request class, kept in Redis and decided by one Lua script per round
 * trip, atomically across the group. Concurrent callers of one process share a round trip
 * ({@link PermitBatcher}); when Redis is unreachable the local fallback (limits scaled by
 * `fallbackShare`) answers.
 */
export class RedisWindowGroup implements WindowGroup {
  readonly #ctx: WindowGroupContext;
  readonly #specs: readonly WindowSpec[];
  readonly #local: WindowGroup;
  readonly #head: (string | number)[];
  readonly #batcher: PermitBatcher;

  constructor(
    ctx: WindowGroupContext,
    requestClass: string,
    specs: readonly WindowSpec[],
    local: WindowGroup,
  ) {
    this.#ctx = ctx;
    this.#specs = specs;
    this.#local = local;
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
      (want, min, prefetching) => this.#reserve(want, min, prefetching),
      (count, now) => this.#local.tryAcquire(count, now),
      prefetch,
    );
  }

  tryAcquire(count: number, now: number): RedisAcquireResult | Promise<RedisAcquireResult> {
    return this.#batcher.acquire(count, now);
  }

  async correct(correction: WindowCorrection, now: number): Promise<void> {
    this.#batcher.discard();
    const share = this.#ctx.fallbackShare;
    // The fallback learns too, scaled, so that it starts from the server's view if Redis goes.
    await this.#local.correct(
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

  /** Reconciles a weighted take in Redis (one script), or in the fallback while Redis is away. */
  async adjust(delta: number, now: number, takenAt: number): Promise<void> {
    const n = Math.round(delta);
    if (n === 0) return;
    const ageMs = Math.max(0, Math.round(now - takenAt));
    await this.#ctx.link.call(
      () => this.#ctx.client.swarmgateAdjust(...(this.#head as [number, ...string[]]), n, ageMs),
      () => {
        this.#local.adjust?.(n, now, takenAt);
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
      () => this.#local.snapshot(now),
    );
  }

  #reserve(want: number, min: number, prefetching: boolean): Promise<Grant | undefined> {
    const stampOffset = prefetching ? this.#ctx.prefetchMs : 0;
    return this.#ctx.link.call(
      async () => {
        const r = await this.#ctx.client.swarmgateAcquire(
          ...(this.#head as [number, ...string[]]),
          want,
          min,
          stampOffset,
        );
        const [granted, waitMs, remaining, blockedBy, redisNow, earliestReset] = r.map(Number) as number[];
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
}
