/** One limit a partner provider states in its own headers. */
export interface UpstreamLimit {
  /** What the limit counts. */
  readonly unit: "requests" | "tokens";
  /** The period the header names (`-minute`, `-day` suffixes), when it names one. */
  readonly period: "minute" | "day" | undefined;
  /** The limit per period, when stated. */
  readonly limit: number | undefined;
  /** What is left now. */
  readonly remaining: number;
  /** Milliseconds until the limit is back (a duration, seconds, or an epoch made relative to nowMs), when stated. */
  readonly resetMs: number | undefined;
}

/** The longest reset a provider header may state: two days (per-day limits reset within one). Longer is taken for garbage. */
export const MAX_UPSTREAM_RESET_MS: number = 2 * 24 * 3600 * 1000;

// The largest Structured Fields integer (RFC 9651 §3.3.1), as structured-fields.ts uses.
const MAX_COUNT = 999_999_999_999_999;
// Cerebras sends resets such as `33011.382867097855`: up to 17 significant digits.
const NUMBER = /^\d{1,16}(?:\.\d{1,20})?$/;
const GO_UNIT: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ns: 1e-6,
};
// A Go `time.Duration` string without its sign: one or more `<decimal><unit>` parts.
const GO_DURATION = /^(?:(?:\d{1,16}(?:\.\d{1,20})?|\.\d{1,20})(?:h|ms|m|s|us|µs|μs|ns))+$/;
const GO_PART = /(\d{1,16}(?:\.\d{1,20})?|\.\d{1,20})(h|ms|m|s|us|µs|μs|ns)/g;

function goDuration(text: string): number {
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(GO_PART))
    ms += Number(amount) * (GO_UNIT[unit ?? ""] ?? Number.NaN);
  return ms;
}

/**
 * Parses a reset: a Go-style duration (`850ms`, `11.455s`, `1m30.5s`, `6m0s`, `2h0m0s`, `1h2m3.5s`, also `µs`/`us`/`ns` units rounding to ms),
 * bare seconds (`"20"`, `"0.5"`), or an epoch timestamp (seconds > 1e9, or milliseconds > 1e12) made relative to nowMs (past → 0).
 * Returns milliseconds in [0, MAX_UPSTREAM_RESET_MS], or undefined for anything else (negative, NaN, empty, garbage, too long).
 *
 * @example
 * parseResetDuration("6m0s", Date.now()); // 360_000 (OpenAI)
 * parseResetDuration("11.382867097854614", Date.now()); // 11_383 (Cerebras)
 * parseResetDuration("1700000030", Date.UTC(2023, 10, 14, 22, 13, 20)); // 30_000 (epoch seconds)
 */
export function parseResetDuration(text: string | undefined, nowMs: number): number | undefined {
  // Anything longer than 64 characters is no reset any provider sends, and bounds the work.
  if (typeof text !== "string" || text.length > 64) return undefined;
  const value = text.trim();
  let ms: number;
  if (NUMBER.test(value)) {
    const n = Number(value);
    // GitHub-style APIs send an epoch: too large to be a wait, so made relative to now.
    if (n > 1e12) ms = Math.max(0, n - nowMs);
    else if (n > 1e9) ms = Math.max(0, n * 1000 - nowMs);
    else ms = n * 1000;
  } else if (GO_DURATION.test(value)) ms = goDuration(value);
  else return undefined;
  // `Math.max(0, NaN)` is NaN, so a NaN nowMs still ends here; `+ 0` turns `-0` into `0`.
  if (!(ms >= 0 && ms <= MAX_UPSTREAM_RESET_MS)) return undefined;
  return Math.round(ms) + 0;
}

type Get = (name: string) => string | undefined;

// Token buckets may state fractional counts; the floor is the conservative reading.
function count(text: string | undefined): number | undefined {
  if (typeof text !== "string") return undefined;
  const value = text.trim();
  if (!NUMBER.test(value)) return undefined;
  const n = Math.floor(Number(value));
  return n <= MAX_COUNT ? n + 0 : undefined;
}

function entry(
  get: Get,
  names: { limit: string; remaining: string; reset: string },
  unit: UpstreamLimit["unit"],
  period: UpstreamLimit["period"],
  nowMs: number,
  fallbackRemaining?: number,
): UpstreamLimit | undefined {
  const remaining = count(get(names.remaining)) ?? fallbackRemaining;
  if (remaining === undefined) return undefined;
  const limitText = get(names.limit);
  const resetText = get(names.reset);
  const limit = count(limitText);
  const resetMs = parseResetDuration(resetText, nowMs);
  // A stated limit or reset that does not parse voids the entry rather than being dropped:
  // an Azure-style `-1` or a garbage reset says the whole entry cannot be trusted.
  if ((limitText !== undefined && limit === undefined) || (resetText !== undefined && resetMs === undefined))
    return undefined;
  return { unit, period, limit, remaining, resetMs };
}

const UNITS = ["requests", "tokens"] as const;
const PERIODS = ["minute", "day"] as const;

// `x-ratelimit-limit<suffix>`, `x-ratelimit-remaining<suffix>`, `x-ratelimit-reset<suffix>`.
function family(prefix: string, suffix: string) {
  return {
    limit: `${prefix}-limit${suffix}`,
    remaining: `${prefix}-remaining${suffix}`,
    reset: `${prefix}-reset${suffix}`,
  };
}

function limits(get: Get, nowMs: number): UpstreamLimit[] {
  const out: UpstreamLimit[] = [];
  const push = (limit: UpstreamLimit | undefined) => {
    if (limit) out.push(limit);
  };
  // OpenAI, Groq, Together (current) and Fireworks: `x-ratelimit-<field>-<unit>`.
  for (const unit of UNITS) push(entry(get, family("x-ratelimit", `-${unit}`), unit, undefined, nowMs));
  // Cerebras: `x-ratelimit-<field>-<unit>-<period>`.
  for (const unit of UNITS)
    for (const period of PERIODS)
      push(entry(get, family("x-ratelimit", `-${unit}-${period}`), unit, period, nowMs));
  // Together's older headers: an unsuffixed request trio and an `x-tokenlimit-*` pair.
  push(entry(get, family("x-ratelimit", ""), "requests", undefined, nowMs));
  push(entry(get, family("x-tokenlimit", ""), "tokens", undefined, nowMs));
  // Fireworks flags a caller over its dynamic limit; with no remaining count stated, none is left.
  const requestsStated = out.some((l) => l.unit === "requests" && l.period === undefined);
  if (!requestsStated && get("x-ratelimit-over-limit")?.trim().toLowerCase() === "yes")
    push(entry(get, family("x-ratelimit", "-requests"), "requests", undefined, nowMs, 0));
  return out;
}

/**
 * Reads every provider limit of one response. `get` returns a header's value (case-insensitive
 * name, already lower-case when called) or undefined. An entry needs a parseable `remaining`;
 * the legacy unsuffixed `x-ratelimit-*` trio is unit "requests", `x-tokenlimit-*` unit "tokens".
 * Never throws; skips entries with negative, NaN, non-numeric or absurd values.
 *
 * @example
 * readUpstreamLimits((name) => response.headers.get(name) ?? undefined, Date.now());
 * // Groq: [{ unit: "requests", period: undefined, limit: 14_400, remaining: 14_370, resetMs: 179_560 },
 * //        { unit: "tokens", period: undefined, limit: 18_000, remaining: 17_997, resetMs: 7_660 }]
 */
export function readUpstreamLimits(
  get: (name: string) => string | undefined,
  nowMs: number,
): UpstreamLimit[] {
  const safeGet: Get = (name) => {
    // One throwing lookup should cost that header only, not every limit.
    try {
      const value: unknown = get(name);
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  };
  try {
    return limits(safeGet, nowMs);
  } catch {
    return [];
  }
}
