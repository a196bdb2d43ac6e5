/** A value or a promise of it: the in-memory store answers synchronously, a remote one asynchronously. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * One quota window of a request class, e.g. Hugging Face's 2,500 Hub API requests per fixed
 * 5-minute window on PRO.
 */
export interface WindowSpec {
  /** Unique within its request class, e.g. `"5m"`. */
  readonly name: string;
  /** Permits per window. Server headers may correct it. */
  readonly limit: number;
  /** Length of the window in milliseconds. */
  readonly windowMs: number;
  /**
   * `fixed`: counts reset at each boundary (Hugging Face's kind; boundaries follow the
   * server's `RateLimit` reset once one is seen). `sliding`: no interval of `windowMs`
   * ever holds more than `limit` admissions (exact, one timestamp per permit).
   */
  readonly kind: "fixed" | "sliding";
  /**
   * Token-bucket smoothing in front of the window: at most `burst` permits at once, then
   * permits at the window's average rate (`limit / windowMs`), so that a swarm does not
   * spend a whole window in its first second. With `widen` (the default), the burst is
   * learned: after as many answers in a row as `burst` times the speed-up, the bucket refills
   * twice as fast (up to the whole window in `burst`'s time), and a 429 or 503 halves that
   * (down to the average rate; once for the attempts admitted before that halving). It
   * never holds more than `burst`: what a pause saved is not released at once, so a burst
   * after a quiet spell does not meet a spike detector. A fixed window whose server
   * tolerates bursts is then spent early, as bottleneck's reservoir does; one that answers
   * bursts with 503 stays near the rate it tolerates.
   */
  readonly smoothing?: { readonly burst: number; readonly widen?: boolean | undefined } | undefined;
}

/** The answer to {@link WindowGroup.tryAcquire}. */
export interface AcquireResult {
  /** Whether the permits were granted (from every window of the group, or from none). */
  readonly ok: boolean;
  /** When not ok: milliseconds until the permits may be available. */
  readonly waitMs: number;
  /** Permits left in the tightest window after this decision. */
  readonly remaining: number;
  /** When not ok: the window that refused. */
  readonly blockedBy?: string | undefined;
}

/** What a response taught about one window (from `RateLimit` / `RateLimit-Policy` / 429). */
export interface WindowCorrection {
  /** Permits the server says are left. */
  readonly remaining?: number | undefined;
  /** Milliseconds until the server's window resets. */
  readonly resetMs?: number | undefined;
  /** The server's quota for the window, when it differs from the configured guess. */
  readonly quota?: number | undefined;
  /** The server's window length, used to pick which window to correct. */
  readonly windowMs?: number | undefined;
  /** A 429: the window is empty until `resetMs` from now. */
  readonly exhausted?: boolean | undefined;
}

/** The state of one window, for stats and telemetry. */
export interface WindowSnapshot {
  readonly name: string;
  readonly limit: number;
  readonly remaining: number;
  /** Epoch ms at which the window next frees permits (fixed: its reset). */
  readonly resetAt: number;
}

/** All windows of one request class in one quota scope; decisions are atomic across them. */
export interface WindowGroup {
  /** Takes `count` permits from every window, or none. `now` is the governor's clock reading. */
  tryAcquire(count: number, now: number): Awaitable<AcquireResult>;
  /** Applies what the server said (remaining, reset, real quota, or a 429). */
  correct(correction: WindowCorrection, now: number): Awaitable<void>;
  /**
   * Reconciles a weighted take after the response: `delta < 0` gives back permits taken at
   * `takenAt` (when the grant came back, on the caller's clock) that the call did not use
   * (dropped for a window that has rolled over since);
   * `delta > 0` takes the overshoot, past the limit if need be, so that later callers wait
   * longer. Optional: a store without it keeps what was taken (the cautious side).
   */
  adjust?(delta: number, now: number, takenAt: number): Awaitable<void>;
  /** Current view of every window. */
  snapshot(now: number): Awaitable<readonly WindowSnapshot[]>;
  /**
   * An attempt admitted at `takenAt` ended: answered, or refused with a 429 or 503. Smoothed
   * windows widen their burst while answers come and narrow it at a refusal, once for the
   * attempts admitted before that narrowing (see `WindowSpec.smoothing`).
   * Optional: a store without it keeps the configured burst.
   */
  learnBurst?(answered: boolean, now: number, takenAt?: number): void;
}

/** Concurrency slots shared by everyone using the same scope. */
export interface SlotPool {
  /** A lease when fewer than `limit` slots are held, else `undefined`. Leases expire after the store's TTL. */
  tryAcquire(limit: number, now: number): Awaitable<SlotLease | undefined>;
  /** Frees a slot; releasing twice is harmless. */
  release(lease: SlotLease): Awaitable<void>;
  /** Slots held right now, as far as this process knows. */
  inFlight(): number;
}

/** An opaque concurrency lease (an id or an object, as the store likes). */
export type SlotLease = number | string | object;

/** The outcome of {@link CreditLedger.reserve}. */
export interface CreditReservation {
  readonly ok: boolean;
  /** Spent in the period, excluding open reservations. */
  readonly spentUsd: number;
  /** Open reservations in the period, including this one when ok. */
  readonly reservedUsd: number;
}

/** Credits spent per period (a calendar month, `"2026-11"`). */
export interface CreditLedger {
  /** Reserves `amountUsd` when `spent + reserved + amount ≤ limitUsd`. */
  reserve(period: string, amountUsd: number, limitUsd: number): Awaitable<CreditReservation>;
  /** Replaces a reservation with what the call really cost. */
  settle(period: string, reservedUsd: number, actualUsd: number): Awaitable<void>;
  /** Spent and reserved in `period`. */
  read(period: string): Awaitable<{ readonly spentUsd: number; readonly reservedUsd: number }>;
}

/** Breaker state shared between processes (remote stores only). */
export interface SharedBreaker {
  /** Epoch ms until which the breaker is open everywhere, or 0 when it is not open. */
  openUntil(now: number): Awaitable<number>;
  /** Records that this process opened the breaker until `untilMs`. */
  open(untilMs: number, now: number): Awaitable<void>;
  /** Records that a probe succeeded and the breaker closed. */
  close(now: number): Awaitable<void>;
  /** In half-open, whether this process may send the single probe. */
  tryProbe(now: number): Awaitable<boolean>;
}

/**
 * Where a governor keeps its state. {@link memoryStore} is the embedded default; a remote
 * store (Redis) lets many processes and machines share one quota.
 */
export interface QuotaStore {
  /** `"memory"`, `"redis"`, …: for telemetry. */
  readonly kind: string;
  /**
   * A remote store's health: `"fallback"` while it answers from local limits because its
   * server is unreachable (reported on every call's span). Absent for local stores.
   */
  readonly status?: "connected" | "fallback";
  /** The windows of one request class. Called once per class when a governor is created. */
  windows(scope: string, requestClass: string, specs: readonly WindowSpec[]): WindowGroup;
  /** The concurrency slots of a scope. */
  slots(scope: string): SlotPool;
  /** The credit ledger of a scope (an HF user or organization). */
  ledger(scope: string): CreditLedger;
  /** Breaker state to share across processes; absent for a store local to one process. */
  breaker?(scope: string, key: string): SharedBreaker;
  /** Releases the store's resources. Idempotent. */
  close(): Promise<void>;
}
