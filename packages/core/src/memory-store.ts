import type {
  AcquireResult,
  CreditLedger,
  CreditReservation,
  QuotaStore,
  SlotLease,
  SlotPool,
  WindowCorrection,
  WindowGroup,
  WindowSnapshot,
  WindowSpec,
} from "./quota-store.js";
import { WindowState } from "./window-state.js";

/** Picks the window a server correction is about: the one of the same length, else the first. */
export function windowFor<W extends { readonly windowMs: number }>(
  windows: readonly W[],
  correction: WindowCorrection,
): W | undefined {
  return windows.find((w) => w.windowMs === correction.windowMs) ?? windows[0];
}

/**
 * Takes `count` permits from every window or from none (the group's all-or-nothing rule):
 * refused, it names the window that frees them last and how long that takes.
 */
export function acquireAll(windows: readonly WindowState[], count: number, now: number): AcquireResult {
  let waitMs = 0;
  let blockedBy: string | undefined;
  for (const window of windows) {
    const wait = window.waitFor(count, now);
    if (wait > waitMs) {
      waitMs = wait;
      blockedBy = window.name;
    }
  }
  if (waitMs > 0) return { ok: false, waitMs, remaining: remainingOf(windows, now), blockedBy };
  for (const window of windows) window.take(count, now);
  return { ok: true, waitMs: 0, remaining: remainingOf(windows, now) };
}

/** The permits every window of a group can still grant: the least of their remaining counts. */
function remainingOf(windows: readonly WindowState[], now: number): number {
  let remaining = Number.POSITIVE_INFINITY;
  for (const window of windows) remaining = Math.min(remaining, window.remaining(now));
  return remaining;
}

class MemoryWindowGroup implements WindowGroup {
  readonly #windows: WindowState[];

  constructor(specs: readonly WindowSpec[]) {
    this.#windows = specs.map((spec) => new WindowState(spec));
  }

  tryAcquire(count: number, now: number): AcquireResult {
    return acquireAll(this.#windows, count, now);
  }

  correct(correction: WindowCorrection, now: number): void {
    windowFor(this.#windows, correction)?.correct(correction, now);
  }

  adjust(delta: number, now: number, takenAt: number): void {
    for (const window of this.#windows) window.adjust(delta, now, takenAt);
  }

  snapshot(now: number): readonly WindowSnapshot[] {
    return this.#windows.map((w) => w.snapshot(now));
  }

  learnBurst(answered: boolean, now: number, takenAt?: number): void {
    for (const window of this.#windows) window.learnBurst(answered, now, takenAt);
  }
}

// A lease is an object with a flag rather than an id in a set: releasing is O(1) with no
// hashing, and releasing twice is still harmless.
interface MemoryLease {
  released: boolean;
}

class MemorySlotPool implements SlotPool {
  #held = 0;

  tryAcquire(limit: number): SlotLease | undefined {
    if (this.#held >= limit) return undefined;
    this.#held++;
    return { released: false } satisfies MemoryLease;
  }

  release(lease: SlotLease): void {
    const l = lease as MemoryLease;
    if (l.released) return;
    l.released = true;
    this.#held--;
  }

  inFlight(): number {
    return this.#held;
  }
}

class MemoryLedger implements CreditLedger {
  #periods = new Map<string, { spentUsd: number; reservedUsd: number }>();

  #get(period: string) {
    let entry = this.#periods.get(period);
    if (!entry) {
      entry = { spentUsd: 0, reservedUsd: 0 };
      this.#periods.set(period, entry);
    }
    return entry;
  }

  reserve(period: string, amountUsd: number, limitUsd: number): CreditReservation {
    const entry = this.#get(period);
    const ok = entry.spentUsd + entry.reservedUsd + amountUsd <= limitUsd + 1e-12;
    if (ok) entry.reservedUsd += amountUsd;
    return { ok, spentUsd: entry.spentUsd, reservedUsd: entry.reservedUsd };
  }

  settle(period: string, reservedUsd: number, actualUsd: number): void {
    const entry = this.#get(period);
    entry.reservedUsd = Math.max(0, entry.reservedUsd - reservedUsd);
    entry.spentUsd += actualUsd;
  }

  read(period: string) {
    return { ...this.#get(period) };
  }
}

/**
 * The embedded {@link QuotaStore}: state in this process's memory, decisions synchronous.
 * The default of every governor; share one instance between governors that guard the same
 * quota in one process.
 *
 * @example
 * const store = memoryStore();
 * const chat = createGovernor({ name: "chat", store, ...presets.huggingface({ tier: "pro" }) });
 */
export function memoryStore(): QuotaStore {
  const groups = new Map<string, MemoryWindowGroup>();
  const pools = new Map<string, MemorySlotPool>();
  const ledgers = new Map<string, MemoryLedger>();
  const getOr = <T>(map: Map<string, T>, key: string, make: () => T): T => {
    let value = map.get(key);
    if (value === undefined) {
      value = make();
      map.set(key, value);
    }
    return value;
  };
  return {
    kind: "memory",
    windows: (scope, requestClass, specs) =>
      getOr(groups, `${scope}\u0000${requestClass}`, () => new MemoryWindowGroup(specs)),
    slots: (scope) => getOr(pools, scope, () => new MemorySlotPool()),
    ledger: (scope) => getOr(ledgers, scope, () => new MemoryLedger()),
    close: async () => {},
  };
}
