/**
 * Quota windows per key (token and bucket). Fixed windows are aligned to the
 * simulator's start (window n covers [n·w, (n+1)·w) of simulated time); rolling windows
 * count admissions in the trailing `windowMs`.
 *
 * Separately from enforcement, an audit records how many requests each window admitted
 * and flags `overQuota` if any window ever admitted more than its quota: the evidence
 * that lets a test prove a client's limiter never overran the server.
 */

/** Outcome of one admission attempt, with what the RateLimit headers report. */
export interface WindowDecision {
  readonly admitted: boolean;
  /** Requests left in the window after this decision. */
  readonly remaining: number;
  /** Seconds until the window resets (fixed) or the oldest admission leaves it (rolling). */
  readonly resetSeconds: number;
  readonly quota: number;
  readonly windowSeconds: number;
}

/** Window configuration. */
export interface WindowOptions {
  /** Window length in simulated ms. */
  readonly windowMs: number;
  /** `fixed` (HF) or `rolling`. */
  readonly mode: "fixed" | "rolling";
}

interface FixedState {
  index: number;
  count: number;
}

/** The quota windows of all keys. */
export class QuotaWindows {
  readonly #options: WindowOptions;
  readonly #fixed = new Map<string, FixedState>();
  readonly #rolling = new Map<string, number[]>();
  // Audit: admissions per (key, window index) for fixed mode; trailing log for rolling.
  readonly #auditFixed = new Map<string, Map<number, number>>();
  readonly #auditRolling = new Map<string, number[]>();
  readonly #overQuota = new Set<string>();

  /** @param options window length and mode. */
  constructor(options: WindowOptions) {
    this.#options = options;
  }

  /** Admits one request for `key` at simulated time `now` if the window has room. */
  tryAdmit(key: string, quota: number, now: number): WindowDecision {
    return this.#decide(key, quota, now, true);
  }

  /** What the headers would say for `key` now, without admitting anything. */
  peek(key: string, quota: number, now: number): WindowDecision {
    return this.#decide(key, quota, now, false);
  }

  /** Whether any window of `key` (or of any key) ever admitted more than its quota. */
  overQuota(key?: string): boolean {
    return key === undefined ? this.#overQuota.size > 0 : this.#overQuota.has(key);
  }

  /** Forgets all windows and audits. */
  reset(): void {
    this.#fixed.clear();
    this.#rolling.clear();
    this.#auditFixed.clear();
    this.#auditRolling.clear();
    this.#overQuota.clear();
  }

  #decide(key: string, quota: number, now: number, admit: boolean): WindowDecision {
    const { windowMs, mode } = this.#options;
    const windowSeconds = Math.round(windowMs / 1000);
    if (mode === "fixed") {
      const index = Math.floor(now / windowMs);
      let state = this.#fixed.get(key);
      if (!state || state.index !== index) {
        state = { index, count: 0 };
        this.#fixed.set(key, state);
      }
      const admitted = admit && state.count < quota;
      if (admitted) {
        state.count++;
        this.#auditFixedAdmission(key, index, quota);
      }
      const resetSeconds = Math.ceil(((index + 1) * windowMs - now) / 1000);
      return { admitted, remaining: Math.max(0, quota - state.count), resetSeconds, quota, windowSeconds };
    }
    const log = this.#rolling.get(key) ?? [];
    while (log.length > 0 && log[0]! <= now - windowMs) log.shift();
    this.#rolling.set(key, log);
    const admitted = admit && log.length < quota;
    if (admitted) {
      log.push(now);
      this.#auditRollingAdmission(key, now, quota);
    }
    const oldest = log[0];
    const resetSeconds = oldest === undefined ? 0 : Math.ceil((oldest + windowMs - now) / 1000);
    return { admitted, remaining: Math.max(0, quota - log.length), resetSeconds, quota, windowSeconds };
  }

  #auditFixedAdmission(key: string, index: number, quota: number): void {
    let counts = this.#auditFixed.get(key);
    if (!counts) {
      counts = new Map();
      this.#auditFixed.set(key, counts);
    }
    const count = (counts.get(index) ?? 0) + 1;
    counts.set(index, count);
    if (count > quota) this.#overQuota.add(key);
  }

  #auditRollingAdmission(key: string, now: number, quota: number): void {
    const log = this.#auditRolling.get(key) ?? [];
    log.push(now);
    const inWindow = log.filter((t) => t > now - this.#options.windowMs);
    this.#auditRolling.set(key, inWindow);
    if (inWindow.length > quota) this.#overQuota.add(key);
  }
}
