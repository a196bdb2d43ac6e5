import { count, type Member, members, optional, seconds } from "./structured-fields.js";

/** One entry of a `RateLimit` header: `"api";r=0;t=55` (draft-ietf-httpapi-ratelimit-headers-09). */
export interface RateLimitValue {
  /** The policy name; `""` when an older draft did not name it. */
  readonly policy: string;
  /** Requests left in the current window (`r`). */
  readonly remaining: number;
  /** Seconds until the window resets (`t`); `undefined` when the server did not say. */
  readonly resetSeconds: number | undefined;
  /** The partition key (`pk`), still base64-encoded: it is an opaque identifier, not text. */
  readonly partitionKey?: string;
}

/** One entry of a `RateLimit-Policy` header: `"fixed window";"api";q=500;w=300`. */
export interface RateLimitPolicyValue {
  /** The policy name, matching {@link RateLimitValue.policy}. */
  readonly policy: string;
  /** Requests allowed per window (`q`). */
  readonly quota: number;
  /** Window length in seconds (`w`); `undefined` when the server did not say. */
  readonly windowSeconds: number | undefined;
  /** What the quota counts (`qu`), e.g. `"requests"`. */
  readonly quotaUnit?: string;
  /** The leading string Hugging Face sends before the name, e.g. `"fixed window"`. */
  readonly kind?: string;
}

// The pre-draft-08 dictionary `limit=100, remaining=50, reset=30`.
export function legacyDictionary(list: readonly Member[]) {
  if (list.length === 0 || list.some((m) => m.items.length > 0)) return undefined;
  const params = new Map(list.flatMap((m) => [...m.params]));
  const remaining = count(params.get("remaining"));
  const limit = optional(params.get("limit"), count);
  const reset = optional(params.get("reset"), seconds);
  if (remaining === undefined || limit === null || reset === null) return undefined;
  return { limit, remaining, resetSeconds: reset, windowSeconds: undefined };
}

// The draft-09 entries of an already split `RateLimit` header.
export function rateLimitValues(list: readonly Member[]): RateLimitValue[] {
  const out: RateLimitValue[] = [];
  for (const { items, params } of list) {
    const policy = items[0];
    const remaining = count(params.get("r"));
    const resetSeconds = optional(params.get("t"), seconds);
    if (typeof policy !== "string" || remaining === undefined || resetSeconds === null) continue;
    const pk = params.get("pk");
    const partitionKey = typeof pk === "object" ? pk.bytes : typeof pk === "string" ? pk : undefined;
    out.push({ policy, remaining, resetSeconds, ...(partitionKey === undefined ? {} : { partitionKey }) });
  }
  return out;
}

/**
 * Parses a `RateLimit` response header. Accepts draft-09 items (quoted or token names) and,
 * when no such item is present, the older `limit=…, remaining=…, reset=…` dictionary as
 * policy `""`. Entries with a missing, negative or absurd number are skipped; never throws.
 *
 * @example
 * parseRateLimit('"api";r=0;t=55'); // [{ policy: "api", remaining: 0, resetSeconds: 55 }]
 */
export function parseRateLimit(header: string | null | undefined): RateLimitValue[] {
  const list = members(header);
  const values = rateLimitValues(list);
  if (values.length > 0) return values;
  const legacy = legacyDictionary(list);
  return legacy ? [{ policy: "", remaining: legacy.remaining, resetSeconds: legacy.resetSeconds }] : [];
}

/**
 * Parses a `RateLimit-Policy` response header. Hugging Face sends two leading strings, the
 * kind and then the name; one string is taken as the name, and draft-07's `100;w=60` as
 * policy `""` with quota 100. Invalid entries are skipped; never throws.
 *
 * @example
 * parseRateLimitPolicy('"fixed window";"api";q=500;w=300');
 * // [{ policy: "api", kind: "fixed window", quota: 500, windowSeconds: 300 }]
 */
export function parseRateLimitPolicy(header: string | null | undefined): RateLimitPolicyValue[] {
  const out: RateLimitPolicyValue[] = [];
  for (const { items, params } of members(header)) {
    const [first, second] = items;
    const named = typeof first === "string";
    const policy = !named ? "" : typeof second === "string" ? second : first;
    const kind = named && typeof second === "string" ? first : undefined;
    const quota = count(params.get("q") ?? (named ? undefined : first));
    const windowSeconds = optional(params.get("w"), seconds);
    const qu = params.get("qu");
    // A leading boolean or byte sequence is neither a name nor a draft-07 quota.
    const unnamable = first !== undefined && !named && typeof first !== "number";
    if (unnamable || quota === undefined || windowSeconds === null) continue;
    out.push({
      policy,
      quota,
      windowSeconds,
      ...(typeof qu === "string" ? { quotaUnit: qu } : {}),
      ...(kind === undefined ? {} : { kind }),
    });
  }
  return out;
}
