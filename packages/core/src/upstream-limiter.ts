import type { UpstreamLimit } from "./provider-limits.js";
import type { AcquireResult, WindowCorrection, WindowGroup, WindowSnapshot } from "./quota-store.js";
import { boundCorrection, MAX_ADOPTED_QUOTA } from "./server-wait.js";
import { WindowState } from "./window-state.js";

/** How an upstream's admission rate is learned from 429s that state nothing. */
export interface RateLearning {
  /** The rate is multiplied by this on a header-less 429. */
  readonly decrease: number;
  /** The lowest rate learned, in requests per second. */
  readonly minPerSecond: number;
  /** How many milliseconds of the rate may go at once (the bucket's depth). */
  readonly burstMs: number;
}

// Successes remembered to measure what the upstream served when it first refused, over the
// last second at most (a burst the upstream tolerated is not its rate).
const METER = 256;
const HORIZON_MS = 1_000;
// The rate climbs 5% per answer below 0.85× the rate that drew the last 429; near it (to
// 1.15×) 0.2%, about one 429 per hundred answers, once a second 429 confirmed it (the first
// estimate is only what was served in the first second); past it, 2% (probing for more).
const NEAR_BELOW = 0.85;
const NEAR_ABOVE = 1.15;
const FAST = 1.05;
const SLOW = 1.002;
const PROBE = 1.02;

/** A ring of the last {@link METER} instants of something (answers, admissions). */
class Meter {
  readonly #at = new Float64Array(METER);
  #count = 0;

  mark(now: number): void {
    this.#at[this.#count++ % METER] = now;
  }

  /** Events per ms over the last second (or the time since the first); undefined with fewer than two. */
  rate(now: number): number | undefined {
    let n = 0;
    const remembered = Math.min(this.#count, METER);
    while (n < remembered && this.#at[(this.#count - n - 1) % METER]! > now - HORIZON_MS) n++;
    if (n < 2) return undefined;
    return n / HORIZON_MS;
  }
}

const PERIOD_MS = { minute: 60_000, day: 86_400_000 } as const;

/**
 * The limits of one upstream (a provider behind the router, an endpoint): an admission
 * rate learned from 429s that state nothing (AIMD: cut on a 429, climb back while answers
 * succeed), and the request and token windows its own headers state (a pause its server
 * asks for is its gate's hold). A {@link WindowGroup} of one process, so that a `QuotaGate` queues for it;
 * `count` is the attempt's estimated tokens (0 when unknown), requests are counted one per
 * attempt.
 */
export class UpstreamLimiter implements WindowGroup {
  readonly key: string;
  readonly #learning: RateLearning | undefined;
  readonly #defaultWindowMs: number;
  // per millisecond; undefined: no 429 yet, nothing to learn from
  #rate: number | undefined;
  #level = 0;
  #filledAt = 0;
  #ceiling = 0;
  #cutAt = Number.NEGATIVE_INFINITY;
  #pressed = false;
  #cuts = 0;
  #servedCount = 0;
  #servedAtCut = 0;
  #heldAt = Number.NEGATIVE_INFINITY;
  #holds = 0;
  readonly #served = new Meter();
  readonly #admitted = new Meter();
  readonly #windows = new Map<string, WindowState>();

  /** `defaultWindowMs`: a window whose header names no period (a minute of the server's time). */
  constructor(key: string, learning: RateLearning | undefined, defaultWindowMs: number) {
    this.key = key;
    this.#learning = learning;
    this.#defaultWindowMs = defaultWindowMs;
  }

  /** An attempt went without the gate (nothing learned yet): counted for the first estimate. */
  admitted(now: number): void {
    if (this.#learning) this.#admitted.mark(now);
  }

  /** Nothing learned yet: no rate, no window. */
  get free(): boolean {
    return this.#rate === undefined && this.#windows.size === 0;
  }

  /** The learned rate in requests per second; undefined before any header-less 429. */
  get ratePerSecond(): number | undefined {
    return this.#rate === undefined ? undefined : this.#rate * 1000;
  }

  tryAcquire(count: number, now: number): AcquireResult {
    let waitMs = this.#rateWait(now);
    let blockedBy = waitMs > 0 ? "rate" : undefined;
    for (const window of this.#windows.values()) {
      const wait = window.waitFor(this.#weight(window, count), now);
      if (wait > waitMs) {
        waitMs = wait;
        blockedBy = window.name;
      }
    }
    if (waitMs > 0) {
      if (blockedBy === "rate") this.#pressed = true;
      return { ok: false, waitMs, remaining: 0, blockedBy };
    }
    if (this.#rate !== undefined) this.#level -= 1;
    else this.admitted(now);
    for (const window of this.#windows.values()) window.take(this.#weight(window, count), now);
    return { ok: true, waitMs: 0, remaining: this.#remaining(now) };
  }

  // A token window counts the estimate (never more than it holds: the call would never go);
  // a request window counts one.
  #weight(window: WindowState, count: number): number {
    return window.name.startsWith("tokens") ? Math.min(count, window.limit) : 1;
  }

  #remaining(now: number): number {
    let remaining = this.#rate === undefined ? Number.POSITIVE_INFINITY : Math.floor(this.#level);
    for (const window of this.#windows.values()) remaining = Math.min(remaining, window.remaining(now));
    return remaining;
  }

  #rateWait(now: number): number {
    const rate = this.#rate;
    if (rate === undefined) return 0;
    const depth = Math.max(1, rate * this.#learning!.burstMs);
    this.#level = Math.min(depth, this.#level + (now - this.#filledAt) * rate);
    this.#filledAt = now;
    return this.#level >= 1 ? 0 : Math.ceil((1 - this.#level) / rate);
  }

  /** The server's corrections arrive as provider limits: see {@link learn}. */
  correct(correction: WindowCorrection, now: number): void {
    for (const window of this.#windows.values()) window.correct(correction, now);
  }

  /** Reconciles the token windows with what the attempt really used. */
  adjust(delta: number, now: number, takenAt: number): void {
    for (const window of this.#windows.values())
      if (window.name.startsWith("tokens")) window.adjust(delta, now, takenAt);
  }

  /** A refused attempt's request and tokens go back to the windows (not to the rate, which paces sends). */
  refund(tokens: number, now: number, takenAt: number): void {
    for (const window of this.#windows.values()) window.adjust(-this.#weight(window, tokens), now, takenAt);
  }

  snapshot(now: number): readonly WindowSnapshot[] {
    return [...this.#windows.values()].map((w) => w.snapshot(now));
  }

  /**
   * What the upstream's headers state: one window per unit and period, created on first
   * sight and corrected by every answer (its boundaries follow the server's resets). A 429
   * exhausts the windows it says are empty. Every wait is bounded by two of the window's
   * lengths. Returns the longest wait of an exhausted window (for a 429), and the ceiling
   * to hold for when an empty window's wait had to be cut to it (0 when none was).
   */
  learn(
    limits: readonly UpstreamLimit[],
    rateLimited: boolean,
    now: number,
  ): { hint: number | undefined; holdMs: number } {
    let hint: number | undefined;
    let holdMs = 0;
    // A 429 that says some is left everywhere refused what the call needed: all of it is spent.
    const spent = rateLimited && !limits.some((l) => l.remaining === 0);
    for (const l of limits) {
      const name = `${l.unit}${l.period === undefined ? "" : `/${l.period}`}`;
      let window = this.#windows.get(name);
      const limit = Math.min(MAX_ADOPTED_QUOTA, Math.max(1, l.limit ?? l.remaining));
      if (!window) {
        const windowMs = l.period === undefined ? this.#defaultWindowMs : PERIOD_MS[l.period];
        window = new WindowState({ name, limit, windowMs, kind: "fixed" });
        this.#windows.set(name, window);
      }
      const spec = { name, limit: window.limit, windowMs: window.windowMs, kind: "fixed" as const };
      const exhausted = rateLimited && (l.remaining === 0 || spent);
      const { correction, capped, ceilingMs } = boundCorrection(
        { remaining: l.remaining, resetMs: l.resetMs, quota: l.limit, exhausted },
        spec,
      );
      window.correct(correction, now);
      if (exhausted && correction.resetMs !== undefined) hint = Math.max(hint ?? 0, correction.resetMs);
      if (capped && exhausted) holdMs = Math.max(holdMs, ceilingMs);
    }
    return { hint, holdMs };
  }

  /** An answer: the rate climbs back while demand presses against it. */
  served(now: number): void {
    this.#servedCount++;
    this.#holds = 0;
    const rate = this.#rate;
    if (rate === undefined) {
      if (this.#learning) this.#served.mark(now);
      return;
    }
    if (!this.#pressed) return;
    this.#pressed = false;
    const c = this.#ceiling;
    const near = this.#cuts > 1 && rate >= c * NEAR_BELOW && rate <= c * NEAR_ABOVE;
    this.#rate = rate * (rate < c * NEAR_BELOW ? FAST : near ? SLOW : PROBE);
  }

  /**
   * A 429 that stated nothing, for an attempt admitted at `takenAt`. Cut the rate, once per
   * round (429s of attempts admitted before the last cut or hold say nothing new); the first
   * cut starts from what the upstream served just before (else half the rate attempts were
   * sent at, else one per second). But when nothing was served since the last cut, the
   * window behind it is spent rather than the pace too fast: returns how long to hold the
   * upstream for one probe instead (two intervals of the rate, doubling while it lasts).
   * Returns "cut", a hold in ms, or undefined when the 429 said nothing new.
   */
  refused(now: number, takenAt: number): "cut" | number | undefined {
    const learning = this.#learning;
    if (learning === undefined || takenAt < this.#cutAt || takenAt < this.#heldAt) return undefined;
    if (this.#rate !== undefined && this.#servedCount === this.#servedAtCut) {
      this.#heldAt = now;
      return (2 / this.#rate) * 2 ** Math.min(20, this.#holds++);
    }
    const admitted = this.#admitted.rate(now);
    const current =
      this.#rate ?? this.#served.rate(now) ?? (admitted === undefined ? 1 / 1000 : admitted / 2);
    this.#ceiling = current;
    this.#cuts++;
    this.#rate = Math.max(learning.minPerSecond / 1000, current * learning.decrease);
    this.#cutAt = now;
    this.#level = 0;
    this.#filledAt = now;
    this.#servedAtCut = this.#servedCount;
    return "cut";
  }
}
