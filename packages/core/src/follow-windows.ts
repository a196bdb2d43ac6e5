import type { WindowSpec } from "./quota-store.js";

const clamp = (ms: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, ms)));

/**
 * Durations the user left out that should follow the quota windows they protect: the
 * breaker's reset and rolling window and the retry budget's window are a tenth of the
 * shortest window (from 1 s up to the fixed defaults, 30 s and 10 s), so that a governor
 * guarding 1-second windows does not hold an open circuit for 30 of them.
 */
export function followWindows(quotas: ReadonlyMap<string, readonly WindowSpec[]>) {
  let shortest = Number.POSITIVE_INFINITY;
  for (const specs of quotas.values()) for (const s of specs) shortest = Math.min(shortest, s.windowMs);
  const known = Number.isFinite(shortest);
  const tenth = shortest / 10;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  return {
    breaker(input: unknown): unknown {
      if (!known || (input !== undefined && !isObject(input))) return input;
      const b = (input ?? {}) as Record<string, unknown>;
      return {
        resetTimeoutMs: clamp(tenth, 1_000, 30_000),
        rollingWindowMs: clamp(tenth, 1_000, 10_000),
        ...b,
      };
    },
    /**
     * The outage pause follows the breaker's reset (whatever set it); none without a breaker, nor
     * with one that fails fast (`waitForProbe: false`): a pause is a wait, those callers asked for
     * `CircuitOpenError` instead.
     */
    upstream(
      input: unknown,
      breaker: { readonly resetTimeoutMs: number; readonly waitForProbe: boolean } | false,
    ): unknown {
      if (input !== undefined && !isObject(input)) return input;
      const pauseMs = breaker === false || !breaker.waitForProbe ? 0 : breaker.resetTimeoutMs;
      return { outagePauseMs: pauseMs, ...(input ?? {}) };
    },
    retry(input: unknown): unknown {
      if (!known || (input !== undefined && !isObject(input))) return input;
      const r = (input ?? {}) as Record<string, unknown>;
      if (r.budget === false || (r.budget !== undefined && !isObject(r.budget))) return input;
      const budget = { windowMs: clamp(tenth, 1_000, 10_000), ...(r.budget as object | undefined) };
      return { ...r, budget };
    },
  };
}
