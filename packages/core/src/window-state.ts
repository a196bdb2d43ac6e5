import type { WindowCorrection, WindowSnapshot, WindowSpec } from "./quota-store.js";

/**
 * The in-memory state of one quota window: a fixed or sliding window, optionally behind a
 * token bucket. `waitFor` and `take` are split so that a group can check every window
 * before taking from any.
 */
export class WindowState {
  readonly name: string;
  readonly kind: WindowSpec["kind"];
  #limit: number;
  #windowMs: number;
  readonly #burst: number | undefined;
  readonly #widen: boolean;
  // smoothing: tokens; with learned bursting the bucket refills `#boost` times faster
  #tokens: number;
  #refilledAt = Number.NaN;
  #boost = 1;
  #streak = 0;
  #narrowedAt = Number.NEGATIVE_INFINITY;
  // fixed
  #used = 0;
  #resetAt = Number.NEGATIVE_INFINITY;
  // sliding: timestamps of the last `limit` admissions, oldest first, in a ring
  #log: Float64Array;
  #head = 0;
  #size = 0;
  // after a 429: nothing is admitted before this instant
  #blockedUntil = Number.NEGATIVE_INFINITY;

  constructor(spec: WindowSpec) {
    this.name = spec.name;
    this.kind = spec.kind;
    this.#limit = spec.limit;
    this.#windowMs = spec.windowMs;
    this.#burst = spec.smoothing?.burst;
    this.#widen = spec.smoothing?.widen !== false;
    this.#tokens = this.#burst ?? 0;
    this.#log = new Float64Array(spec.kind === "sliding" ? spec.limit : 0);
  }

  get limit(): number {
    return this.#limit;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Milliseconds until `count` permits are available (0 = now). */
  waitFor(count: number, now: number): number {
    if (now < this.#blockedUntil) return this.#blockedUntil - now;
    if (count > this.#limit) return Number.POSITIVE_INFINITY;
    let wait = 0;
    if (this.kind === "fixed") {
      this.#roll(now);
      if (this.#used + count > this.#limit) wait = this.#resetAt - now;
    } else if (this.#size + count > this.#limit) {
      // The (count - free)-th oldest admission must leave the window first.
      const mustLeave = this.#size + count - this.#limit;
      const ts = this.#log[(this.#head + mustLeave - 1) % this.#log.length]!;
      wait = Math.max(0, ts + this.#windowMs - now);
      if (wait === 0) this.#expire(now);
    }
    if (this.#burst !== undefined) {
      this.#refill(now);
      if (this.#tokens < count) {
        if (count > this.#burst) return Number.POSITIVE_INFINITY;
        const rate = (this.#limit * this.#boost) / this.#windowMs;
        wait = Math.max(wait, Math.ceil((count - this.#tokens) / rate));
      }
    }
    return wait;
  }

  /** Takes `count` permits; only after `waitFor` returned 0 at the same `now`. */
  take(count: number, now: number): void {
    if (this.kind === "fixed") this.#used += count;
    else {
      this.#expire(now);
      for (let i = 0; i < count; i++) {
        this.#log[(this.#head + this.#size) % this.#log.length] = now;
        this.#size++;
      }
    }
    if (this.#burst !== undefined) this.#tokens -= count;
  }

  /**
   * Reconciles a weighted take: gives back `-delta` permits taken at `takenAt` (not once the
   * fixed window that counted them has rolled over; the oldest admissions logged since then
   * for a sliding one), or takes `delta` more, past the limit if need be. A sliding log that
   * overflows lets its oldest admissions go early but admits nothing before they would have
   * left.
   */
  adjust(delta: number, now: number, takenAt: number): void {
    if (delta === 0 || !Number.isFinite(delta)) return;
    if (this.kind === "fixed") {
      this.#roll(now);
      if (delta > 0) this.#used += delta;
      else if (takenAt >= this.#resetAt - this.#windowMs) this.#used = Math.max(0, this.#used + delta);
    } else {
      this.#expire(now);
      if (delta > 0) this.#append(delta, now);
      else this.#remove(-delta, takenAt);
    }
    if (this.#burst === undefined) return;
    this.#refill(now);
    this.#tokens = Math.min(this.#burst, this.#tokens - delta);
  }

  // Learned bursting (`WindowGroup.learnBurst`), narrowed once per round as TCP halves once
  // per window: refusals of attempts admitted before the last narrowing say nothing new.
  learnBurst(answered: boolean, now: number, takenAt = now): void {
    const burst = this.#burst;
    if (!this.#widen || burst === undefined) return;
    this.#refill(now);
    if (!answered) {
      if (takenAt < this.#narrowedAt) return;
      [this.#boost, this.#streak, this.#narrowedAt] = [Math.max(1, this.#boost / 2), 0, now];
    } else if (++this.#streak >= burst * this.#boost && burst * this.#boost < this.#limit)
      [this.#boost, this.#streak] = [Math.min(this.#limit / burst, this.#boost * 2), 0];
  }

  /** Permits left right now. */
  remaining(now: number): number {
    if (now < this.#blockedUntil) return 0;
    if (this.kind === "fixed") {
      this.#roll(now);
      return Math.max(0, this.#limit - this.#used);
    }
    this.#expire(now);
    return this.#limit - this.#size;
  }

  /** Applies the server's view: its quota, what is left, when the window resets, or a 429. */
  correct(c: WindowCorrection, now: number): void {
    if (c.quota !== undefined && c.quota > 0 && c.quota !== this.#limit) this.#resize(c.quota);
    if (c.windowMs !== undefined && c.windowMs > 0) this.#windowMs = c.windowMs;
    const resetAt = c.resetMs === undefined ? undefined : now + c.resetMs;
    if (c.exhausted) {
      this.#blockedUntil = resetAt ?? this.#nextFree(now);
      if (this.kind === "fixed") {
        this.#used = this.#limit;
        this.#resetAt = this.#blockedUntil;
      }
      return;
    }
    if (this.kind === "fixed") {
      this.#roll(now);
      // A reset far from ours means the server's window is not the one we are counting:
      // adopt its boundary and its count. Near ours, trust whichever has seen more, and never
      // reset before the server does (a later reset is adopted).
      const far = resetAt !== undefined && Math.abs(resetAt - this.#resetAt) > 1000;
      if (far) this.#used = c.remaining === undefined ? this.#used : this.#limit - c.remaining;
      else if (c.remaining !== undefined) this.#used = Math.max(this.#used, this.#limit - c.remaining);
      if (resetAt !== undefined && (far || resetAt > this.#resetAt)) this.#resetAt = resetAt;
      this.#used = Math.min(Math.max(this.#used, 0), this.#limit);
    } else if (c.remaining !== undefined) {
      this.#expire(now);
      const missing = this.#limit - c.remaining - this.#size;
      if (missing > 0) this.take(missing, now);
    }
  }

  snapshot(now: number): WindowSnapshot {
    const remaining = this.remaining(now);
    const resetAt =
      now < this.#blockedUntil
        ? this.#blockedUntil
        : this.kind === "fixed"
          ? this.#resetAt
          : this.#size > 0
            ? this.#log[this.#head]! + this.#windowMs
            : now;
    return { name: this.name, limit: this.#limit, remaining, resetAt };
  }

  #roll(now: number): void {
    if (now < this.#resetAt) return;
    // Keep the server-aligned boundary: the next window starts at a multiple of windowMs after it.
    this.#resetAt = Number.isFinite(this.#resetAt)
      ? this.#resetAt + Math.ceil((now - this.#resetAt + 1) / this.#windowMs) * this.#windowMs
      : now + this.#windowMs;
    this.#used = 0;
  }

  // Drops the `count` oldest admissions logged at or after `since` (ours, or older ones that
  // would leave sooner anyway: never newer ones, which would free capacity for too long).
  #remove(count: number, since: number): void {
    const log = this.#log;
    const at = (i: number) => (this.#head + i) % log.length;
    let first = this.#size;
    while (first > 0 && log[at(first - 1)]! >= since) first--;
    const n = Math.min(count, this.#size - first);
    for (let i = first; i + n < this.#size; i++) log[at(i)] = log[at(i + n)]!;
    this.#size -= n;
  }

  #append(count: number, now: number): void {
    const log = this.#log;
    for (let i = 0; i < count; i++) {
      if (this.#size === log.length) {
        this.#blockedUntil = Math.max(this.#blockedUntil, log[this.#head]! + this.#windowMs);
        this.#head = (this.#head + 1) % log.length;
        this.#size--;
      }
      log[(this.#head + this.#size) % log.length] = now;
      this.#size++;
    }
  }

  #expire(now: number): void {
    const cutoff = now - this.#windowMs;
    while (this.#size > 0 && this.#log[this.#head]! <= cutoff) {
      this.#head = (this.#head + 1) % this.#log.length;
      this.#size--;
    }
  }

  #refill(now: number): void {
    if (Number.isNaN(this.#refilledAt)) this.#refilledAt = now;
    const elapsed = now - this.#refilledAt;
    if (elapsed <= 0) return;
    const boost = this.#boost;
    this.#tokens = Math.min(this.#burst!, this.#tokens + (elapsed * this.#limit * boost) / this.#windowMs);
    this.#refilledAt = now;
  }

  #nextFree(now: number): number {
    if (this.kind === "fixed") return Math.max(this.#resetAt, now);
    return this.#size > 0 ? this.#log[this.#head]! + this.#windowMs : now;
  }

  #resize(limit: number): void {
    if (this.kind === "sliding") {
      const log = new Float64Array(limit);
      const keep = Math.min(this.#size, limit);
      // Keep the newest admissions: they are the ones still inside the window longest.
      for (let i = 0; i < keep; i++)
        log[i] = this.#log[(this.#head + this.#size - keep + i) % this.#log.length]!;
      this.#log = log;
      this.#head = 0;
      this.#size = keep;
    }
    this.#limit = limit;
    if (this.#burst !== undefined) this.#tokens = Math.min(this.#tokens, this.#burst);
  }
}
