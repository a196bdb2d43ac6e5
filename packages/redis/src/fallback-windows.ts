import {
  type AcquireResult,
  acquireAll,
  type WindowCorrection,
  type WindowSnapshot,
  type WindowSpec,
  WindowState,
} from "@swarmgate/core";

/** What Redis last said about one window, converted to the caller's clock. */
export interface KnownWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly remaining: number;
  /** End of the fixed window `remaining` is about; NaN for a sliding window. */
  readonly resetAt: number;
  /** Nothing is admitted before this instant (after a 429); -Infinity when not blocked. */
  readonly blockedUntil: number;
  /** When Redis said it (caller's clock). */
  readonly at: number;
}

/** What a fallback owes Redis for one window: see the REPLAY script. */
export interface OwedWindow {
  readonly count: number;
  /** End of the fixed window the admissions belong to (caller's clock); NaN for sliding. */
  readonly windowEnd: number;
  /** What Redis had counted in that window when it was last heard; -1 when unknown or past. */
  readonly knownUsed: number;
}

const scale = (value: number, share: number) => Math.max(1, Math.floor(value * share));

/**
 * Reads the 5 values per window a window script returns from `from` (limit, windowMs,
 * remaining, resetAt, blockedUntil; -1 = none), Redis's `redisNow` being `now` here.
 */
export function knownWindows(
  r: readonly number[],
  from: number,
  count: number,
  redisNow: number,
  now: number,
): KnownWindow[] {
  return Array.from({ length: count }, (_, i) => {
    const [limit, windowMs, remaining, resetAt, blockedUntil] = r.slice(from + i * 5, from + i * 5 + 5);
    return {
      limit: limit!,
      windowMs: windowMs!,
      remaining: remaining!,
      resetAt: resetAt! >= 0 ? resetAt! - redisNow + now : Number.NaN,
      blockedUntil: blockedUntil! >= 0 ? blockedUntil! - redisNow + now : Number.NEGATIVE_INFINITY,
      at: now,
    };
  });
}

/**
 * The local windows of one group while Redis is away: each limit scaled by `share`, and
 * seeded from what Redis last said (its boundary, and `share` of its remaining count), so
 * that a process does not start a fresh, full window in the middle of one the swarm has
 * already used. Every admission is logged until it is written back into Redis.
 */
export class FallbackWindows {
  readonly #windows: WindowState[];
  readonly #known: readonly (KnownWindow | undefined)[];
  readonly #horizonMs: number;
  // admissions not yet written back, oldest first: [caller time, permits]
  #log: [number, number][] = [];

  constructor(
    specs: readonly WindowSpec[],
    share: number,
    known: readonly (KnownWindow | undefined)[],
    now: number,
    lostAt: number,
  ) {
    this.#known = known;
    this.#windows = specs.map((spec, i) => seed(spec, share, known[i], now, lostAt));
    this.#horizonMs = Math.max(...this.#windows.map((w) => w.windowMs));
  }

  tryAcquire(count: number, now: number): AcquireResult {
    const result = acquireAll(this.#windows, count, now);
    if (result.ok) this.#record(count, now);
    return result;
  }

  /** A server correction, already scaled to this process's share. */
  correct(correction: WindowCorrection, now: number): void {
    const w = this.#windows.find((x) => x.windowMs === correction.windowMs) ?? this.#windows[0];
    w?.correct(correction, now);
  }

  adjust(delta: number, now: number, takenAt: number): void {
    for (const window of this.#windows) window.adjust(delta, now, takenAt);
    this.#record(delta, takenAt);
  }

  snapshot(now: number): WindowSnapshot[] {
    return this.#windows.map((w) => w.snapshot(now));
  }

  /** True while some admission has not been handed to {@link takeOwed}. */
  get owes(): boolean {
    return this.#log.length > 0;
  }

  /** What the windows still current at `now` owe Redis; forgets the log. */
  takeOwed(now: number): OwedWindow[] {
    const log = this.#log;
    this.#log = [];
    return this.#windows.map((w, i) => {
      const k = this.#known[i];
      if (w.kind === "sliding") {
        const count = sum(log, now - w.windowMs);
        const knownUsed = k !== undefined && now - k.at < w.windowMs ? k.limit - k.remaining : -1;
        return { count, windowEnd: Number.NaN, knownUsed };
      }
      const end = w.snapshot(now).resetAt;
      if (!Number.isFinite(end)) return { count: 0, windowEnd: Number.NaN, knownUsed: -1 };
      const knownUsed = k !== undefined && Math.abs(k.resetAt - end) < 1 ? k.limit - k.remaining : -1;
      return { count: sum(log, end - w.windowMs), windowEnd: end, knownUsed };
    });
  }

  #record(count: number, at: number): void {
    if (count === 0) return;
    this.#log.push([at, count]);
    // Nothing older than the longest window can be owed any more.
    if (this.#log.length > 64 && this.#log[0]![0] < at - this.#horizonMs)
      this.#log = this.#log.filter(([t]) => t >= at - this.#horizonMs);
  }
}

function sum(log: readonly [number, number][], since: number): number {
  let total = 0;
  for (const [at, count] of log) if (at >= since) total += count;
  return Math.max(0, total);
}

function seed(
  spec: WindowSpec,
  share: number,
  known: KnownWindow | undefined,
  now: number,
  lostAt: number,
): WindowState {
  const limit = known?.limit ?? spec.limit;
  const windowMs = known?.windowMs ?? spec.windowMs;
  const state = new WindowState({
    ...spec,
    limit: scale(limit, share),
    windowMs,
    smoothing: spec.smoothing ? { burst: scale(spec.smoothing.burst, share) } : undefined,
  });
  if (known === undefined) return state;
  // In the window Redis was lost in, a process's view may be stale: others may have taken
  // what it saw left. Capping each process at `share` of what it saw and at `share²` of the
  // quota bounds the whole swarm (n · share ≤ 1) to one share of one quota above the limit,
  // however stale every view is.
  const left = Math.max(0, Math.min(Math.floor(known.remaining * share), Math.floor(limit * share * share)));
  if (spec.kind === "fixed" && Number.isFinite(known.resetAt)) {
    // Start the local window where Redis's started (its boundaries roll forward from there),
    // with only this process's share of what the swarm had left in it.
    state.correct({}, known.resetAt - windowMs);
    if (lostAt < known.resetAt) {
      if (now < known.resetAt) state.correct({ remaining: left }, now);
    } else {
      // Redis was lost in a later window than the one last heard of: others may have used
      // all of it, so this process takes nothing more in it (the windows after, its share).
      const end = known.resetAt + Math.ceil((lostAt - known.resetAt + 1) / windowMs) * windowMs;
      if (now < end) state.correct({ remaining: 0 }, now);
    }
  } else if (spec.kind === "sliding" && now - known.at < windowMs) {
    state.correct({ remaining: left }, now);
  }
  if (known.blockedUntil > now) state.correct({ exhausted: true, resetMs: known.blockedUntil - now }, now);
  return state;
}
