/**
 * The limit headers partner providers send, in the forms huggingface.js users meet when
 * the router passes them through: OpenAI-style (Groq, Together, Cerebras, Fireworks,
 * OpenAI) and Together's own older names.
 */

/**
 * A reset as OpenAI-style APIs write it: Go durations such as `850ms`, `11.455s`,
 * `2m59.56s`, `1h0m0s` (at most three decimals, trailing zeros dropped).
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, ms);
  if (total < 1000) return `${Math.round(total)}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = Number((((total % 60_000) / 1000) as number).toFixed(3));
  const s = `${seconds}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  return minutes > 0 ? `${minutes}m${s}` : s;
}

/** One limit of a provider at the moment of an answer. */
export interface LimitReading {
  readonly limit: number;
  readonly remaining: number;
  /** Simulated ms until the window resets. */
  readonly resetMs: number;
}

/** Current readings of a provider's request and token limits (each may be absent). */
export interface ProviderReadings {
  readonly requests?: LimitReading;
  readonly tokens?: LimitReading;
}

/** The headers of one answer in `style`. */
export function providerLimitHeaders(
  style: "none" | "openai" | "together",
  readings: ProviderReadings,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (style === "openai") {
    for (const kind of ["requests", "tokens"] as const) {
      const r = readings[kind];
      if (!r) continue;
      headers[`x-ratelimit-limit-${kind}`] = String(r.limit);
      headers[`x-ratelimit-remaining-${kind}`] = String(r.remaining);
      headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(r.resetMs);
    }
  } else if (style === "together") {
    const r = readings.requests;
    if (r) {
      headers["x-ratelimit-limit"] = String(r.limit);
      headers["x-ratelimit-remaining"] = String(r.remaining);
      headers["x-ratelimit-reset"] = String(Math.ceil(r.resetMs / 1000));
    }
    const t = readings.tokens;
    if (t) {
      headers["x-tokenlimit-limit"] = String(t.limit);
      headers["x-tokenlimit-remaining"] = String(t.remaining);
    }
  }
  return headers;
}
