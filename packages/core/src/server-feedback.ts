import { readUpstreamLimits, type UpstreamLimit } from "./provider-limits.js";
import {
  legacyDictionary,
  parseRateLimitPolicy,
  type RateLimitPolicyValue,
  rateLimitValues,
} from "./ratelimit-headers.js";
import { parseRetryAfter } from "./retry-after.js";
import { count, MAX_SECONDS, members, optional, seconds } from "./structured-fields.js";

/** Everything the governor learns from one response's status and rate-limit headers. */
export interface ServerFeedback {
  /** The HTTP status, when the response carried an integer one. */
  readonly status: number | undefined;
  /** One entry per `RateLimit` entry, joined with the `RateLimit-Policy` of the same name. */
  readonly limits: readonly {
    policy: string;
    remaining: number;
    resetMs: number | undefined;
    quota: number | undefined;
    windowMs: number | undefined;
  }[];
  /** Milliseconds to wait according to `Retry-After`. */
  readonly retryAfterMs: number | undefined;
  /**
   * What the upstream behind the router (a partner provider) states about its own limits:
   * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` and their per-minute / per-day
   * and older forms. They are the provider's, never the account's windows.
   */
  readonly upstream: readonly UpstreamLimit[];
}

/** A WHATWG `Headers`, anything with `get(name)`, or a plain record with case-insensitive keys. */
export type HeadersLike =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

type Limit = ServerFeedback["limits"][number];
type Get = (name: string) => string | undefined;

function reader(headers: unknown): Get {
  if (typeof headers !== "object" || headers === null) return () => undefined;
  const { get } = headers as { get?: unknown };
  if (typeof get === "function") {
    return (name) => {
      // One throwing lookup should cost that header only, not the whole feedback.
      try {
        const value: unknown = get.call(headers, name);
        return typeof value === "string" ? value : undefined;
      } catch {
        return undefined;
      }
    };
  }
  const byName = new Map<string, string>();
  for (const [key, raw] of Object.entries(headers)) {
    const values: unknown[] = Array.isArray(raw) ? raw : [raw];
    const text = values.filter((v) => typeof v === "string").join(", ");
    const name = key.toLowerCase();
    // Node's IncomingHttpHeaders and hand-built records may split one field across keys and arrays.
    if (values.some((v) => typeof v === "string"))
      byName.set(name, [byName.get(name), text].filter(Boolean).join(", "));
  }
  return (name) => byName.get(name);
}

// `RateLimit-Remaining`, `-Reset`, `-Limit` (drafts 00-06).
function separateHeaders(get: Get, prefix: string, nowMs: number) {
  const remaining = count(members(get(`${prefix}remaining`))[0]?.items[0]);
  if (remaining === undefined) return undefined;
  const limits = members(get(`${prefix}limit`));
  const limit = count(limits[0]?.items[0]);
  const window = limits.find((m) => m.items[0] === limit && m.params.has("w"))?.params.get("w");
  let reset = members(get(`${prefix}reset`))[0]?.items[0];
  // GitHub and others send an epoch timestamp (seconds, sometimes milliseconds): anything
  // too large to be a delta is taken for one.
  if (typeof reset === "number" && reset > MAX_SECONDS)
    reset = Math.max(0, (reset >= 1e12 ? reset : reset * 1000) - nowMs) / 1000;
  const resetSeconds = optional(reset, seconds);
  return resetSeconds === null
    ? undefined
    : { limit, remaining, resetSeconds, windowSeconds: seconds(window) };
}

function feedback(response: { status?: unknown; headers?: unknown }, nowMs: number): ServerFeedback {
  const get = reader(response.headers);
  const status = Number.isInteger(response.status) ? (response.status as number) : undefined;
  const policies = new Map<string, RateLimitPolicyValue>();
  for (const p of parseRateLimitPolicy(get("ratelimit-policy")))
    if (!policies.has(p.policy)) policies.set(p.policy, p);
  const toMs = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  const list = members(get("ratelimit"));
  let limits: Limit[] = rateLimitValues(list).map(({ policy, remaining, resetSeconds }) => ({
    policy,
    remaining,
    resetMs: toMs(resetSeconds),
    quota: policies.get(policy)?.quota,
    windowMs: toMs(policies.get(policy)?.windowSeconds),
  }));
  if (limits.length === 0) {
    const legacy = legacyDictionary(list) ?? separateHeaders(get, "ratelimit-", nowMs);
    const unnamed = policies.get("");
    if (legacy) {
      limits = [
        {
          policy: "",
          remaining: legacy.remaining,
          resetMs: toMs(legacy.resetSeconds),
          quota: legacy.limit ?? unnamed?.quota,
          windowMs: toMs(legacy.windowSeconds ?? unnamed?.windowSeconds),
        },
      ];
    }
  }
  return {
    status,
    limits,
    retryAfterMs: parseRetryAfter(get("retry-after"), nowMs),
    upstream: readUpstreamLimits(get, nowMs),
  };
}

/**
 * Reads what one response says about the server's limits: `RateLimit`, `RateLimit-Policy`
 * and `Retry-After`, falling back to the older drafts' forms (as policy `""`) only when no
 * draft-09 `RateLimit` entry is present. A policy with no `RateLimit` entry is left out,
 * since its remaining count is unknown. `X-RateLimit-*` headers are what the upstream
 * behind the router (a partner provider) states: they go to `upstream`, never to the
 * account's windows. Never throws, even when the headers object does: telemetry must not
 * break the call it observes.
 *
 * @example
 * const feedback = readServerFeedback(response, Date.now());
 * // { status: 429, retryAfterMs: undefined,
 * //   limits: [{ policy: "api", remaining: 0, resetMs: 55_000, quota: 500, windowMs: 300_000 }],
 * //   upstream: [] }
 */
export function readServerFeedback(
  response: { status?: number; headers?: HeadersLike | undefined },
  nowMs: number,
): ServerFeedback {
  try {
    return feedback(response, nowMs);
  } catch {
    return { status: undefined, limits: [], retryAfterMs: undefined, upstream: [] };
  }
}
