import { parseRateLimit, parseRateLimitPolicy } from "@swarmgate/core";

/** The most requests one quota window was seen to use, from the server's `RateLimit` headers. */
export interface WindowUse {
  /** The policy (bucket) name, e.g. `inference`. */
  readonly policy: string;
  /** Requests allowed per window (`q`). */
  readonly quota: number;
  /** The most the window had used at any answer: `q - r`. */
  readonly used: number;
}

/**
 * Follows the server's quota windows through `RateLimit` (`r`, `t`) and `RateLimit-Policy`
 * (`q`, `w`): a window's use is `q - r`, and a new window starts when `t` jumps back up
 * by more than half a window (answers of one window may arrive slightly out of order).
 */
export class QuotaTracker {
  readonly #windows: { policy: string; quota: number; used: number }[] = [];
  readonly #last = new Map<string, { resetSeconds: number; index: number }>();

  /** Reads one answer's headers; silently ignores answers without them. */
  observe(headers: Headers): void {
    const policies = parseRateLimitPolicy(headers.get("ratelimit-policy"));
    for (const value of parseRateLimit(headers.get("ratelimit"))) {
      const policy = policies.find((p) => p.policy === value.policy) ?? policies[0];
      if (!policy) continue;
      const reset = value.resetSeconds ?? 0;
      const window = policy.windowSeconds ?? 300;
      const last = this.#last.get(value.policy);
      let index = last?.index;
      if (last === undefined || reset > last.resetSeconds + window / 2) {
        index = this.#windows.push({ policy: value.policy, quota: policy.quota, used: 0 }) - 1;
      }
      const entry = this.#windows[index!]!;
      entry.quota = policy.quota;
      entry.used = Math.max(entry.used, policy.quota - value.remaining);
      this.#last.set(value.policy, { resetSeconds: reset, index: index! });
    }
  }

  /** Every window seen, oldest first. */
  windows(): WindowUse[] {
    return this.#windows.map((w) => ({ ...w }));
  }

  /** The window in progress of `policy` (default: the latest seen), if any. */
  current(policy?: string): WindowUse | undefined {
    const key = policy ?? [...this.#last.keys()].at(-1);
    const last = key === undefined ? undefined : this.#last.get(key);
    const window = last && this.#windows[last.index];
    return window && { ...window };
  }
}
