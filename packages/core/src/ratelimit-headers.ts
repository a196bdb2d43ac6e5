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

// A reset or window longer than a year is an epoch timestamp or garbage, never a wait.
const MAX_SECONDS = 366 * 24 * 3600;
// The largest Structured Fields integer (RFC 9651 §3.3.1).
const MAX_COUNT = 999_999_999_999_999;
const TOKEN = /^[A-Za-z*][\w!#$%&'*+\-.^`|~:/]*$/;
const NUMBER = /^-?\d{1,15}(?:\.\d{1,3})?$/;
const BYTES = /^:([A-Za-z0-9+/]*={0,2}):$/;

type Bare = string | number | boolean | { readonly bytes: string };
// One list member: leading bare items (HF sends two strings), then parameters.
interface Member {
  readonly items: readonly Bare[];
  readonly params: ReadonlyMap<string, Bare>;
}

// Splits on `sep` outside quoted strings, so `"a,b";r=1` stays one member.
function split(text: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function unquote(text: string): string | undefined {
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      const next = text[++i];
      if (next === undefined) return undefined;
      out += next;
    } else if (c === '"') return i === text.length - 1 ? out : undefined;
    else out += c;
  }
  return undefined;
}

function bare(text: string): Bare | undefined {
  if (text.startsWith('"')) return unquote(text);
  const bytes = BYTES.exec(text);
  if (bytes) return { bytes: bytes[1] ?? "" };
  if (text === "?1" || text === "?0") return text === "?1";
  if (NUMBER.test(text)) return Number(text);
  return TOKEN.test(text) ? text : undefined;
}

// Lenient Structured Fields List parsing. Where RFC 9651 would reject the whole header, only
// the member with an unparseable item or parameter is dropped, so one bad entry costs no others.
function members(header: unknown): Member[] {
  if (typeof header !== "string") return [];
  const out: Member[] = [];
  next: for (const text of split(header, ",")) {
    const items: Bare[] = [];
    const params = new Map<string, Bare>();
    for (const part of split(text, ";")) {
      // Quoted strings and byte sequences may contain `=`; only a bare part is `key=value`.
      const eq = part.startsWith('"') || part.startsWith(":") ? -1 : part.indexOf("=");
      const value = eq > 0 ? bare(part.slice(eq + 1).trim()) : params.size > 0 || bare(part);
      if (value === undefined) continue next;
      if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), value);
      else if (params.size > 0) params.set(part.toLowerCase(), true);
      else items.push(value);
    }
    if (items.length > 0 || params.size > 0) out.push({ items, params });
  }
  return out;
}

// `+ 0` turns `-0` into `0`, which deep equality (and Object.is) would tell apart.
function count(value: Bare | undefined): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT
    ? value + 0
    : undefined;
}

function seconds(value: Bare | undefined): number | undefined {
  return typeof value === "number" && value >= 0 && value <= MAX_SECONDS ? value + 0 : undefined;
}

// An optional parameter that is present but invalid voids its entry rather than being dropped.
function optional<T>(raw: Bare | undefined, parse: (v: Bare) => T | undefined): T | undefined | null {
  return raw === undefined ? undefined : (parse(raw) ?? null);
}

// The pre-draft-08 dictionary `limit=100, remaining=50, reset=30`.
function legacyDictionary(list: readonly Member[]) {
  if (list.length === 0 || list.some((m) => m.items.length > 0)) return undefined;
  const params = new Map(list.flatMap((m) => [...m.params]));
  const remaining = count(params.get("remaining"));
  const limit = optional(params.get("limit"), count);
  const reset = optional(params.get("reset"), seconds);
  if (remaining === undefined || limit === null || reset === null) return undefined;
  return { limit, remaining, resetSeconds: reset, windowSeconds: undefined };
}

// The draft-09 entries of an already split `RateLimit` header.
function rateLimitValues(list: readonly Member[]): RateLimitValue[] {
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

const DELTA_SECONDS = /^\d{1,15}(?:\.\d{1,6})?$/;
const MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` and RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`.
const FIXDATE =
  /^(?:[a-z]+,\s*)?(\d{1,2})[\s-]([a-z]{3})[\s-](\d{4}|\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+GMT$/i;
// asctime `Sun Nov  6 08:49:37 1994`, which has no zone but RFC 9110 says it is UTC.
const ASCTIME = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/i;

// A strict parser, because `Date.parse` reads local time and accepts `"1"` or `"x 12"` as dates.
function httpDate(text: string): number | undefined {
  const fix = FIXDATE.exec(text);
  const asc = ASCTIME.exec(text);
  const fields = fix
    ? [fix[3], fix[2], fix[1], fix[4], fix[5], fix[6]]
    : asc && [asc[6], asc[1], asc[2], asc[3], asc[4], asc[5]];
  if (!fields) return undefined;
  const [y = "", mon = "", d, h, m, s] = fields.map((v) => v ?? "");
  const month = MONTHS.indexOf(mon.toLowerCase()) / 3;
  // RFC 850's two-digit years: RFC 9110 §5.6.7 reads them as the nearest past-or-near century.
  const year = y.length === 2 ? Number(y) + (Number(y) < 70 ? 2000 : 1900) : Number(y);
  const [day, hour, minute, second] = [d, h, m, s].map(Number) as [number, number, number, number];
  if (!Number.isInteger(month) || month < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls Feb 30 over into March; a real date survives the round trip.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/**
 * Parses `Retry-After`: delta-seconds (decimals tolerated) or an HTTP-date in any of the
 * three RFC 9110 forms. A date in the past means "now" (0). Waits beyond a year are taken
 * for garbage. Never throws.
 *
 * @returns milliseconds to wait from `nowMs`, or `undefined` when absent or unparseable.
 * @example
 * parseRetryAfter("30", Date.now()); // 30_000
 * parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", Date.UTC(1994, 10, 6, 8, 49, 7)); // 30_000
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (typeof header !== "string") return undefined;
  const text = header.trim();
  const wait = DELTA_SECONDS.test(text) ? Number(text) * 1000 : (httpDate(text) ?? Number.NaN) - nowMs;
  if (Number.isNaN(wait) || wait > MAX_SECONDS * 1000) return undefined;
  return Math.max(0, Math.round(wait));
}

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

// `RateLimit-Remaining`, `-Reset`, `-Limit` (drafts 00-06) and the de-facto `X-RateLimit-*`.
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
    const legacy =
      legacyDictionary(list) ??
      separateHeaders(get, "ratelimit-", nowMs) ??
      separateHeaders(get, "x-ratelimit-", nowMs);
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
  return { status, limits, retryAfterMs: parseRetryAfter(get("retry-after"), nowMs) };
}

/**
 * Reads what one response says about the server's limits: `RateLimit`, `RateLimit-Policy`
 * and `Retry-After`, falling back to the older drafts' forms and `X-RateLimit-*` (as policy
 * `""`) only when no draft-09 `RateLimit` entry is present. A policy with no `RateLimit`
 * entry is left out, since its remaining count is unknown. Never throws, even when the
 * headers object does: telemetry must not break the call it observes.
 *
 * @example
 * const feedback = readServerFeedback(response, Date.now());
 * // { status: 429, retryAfterMs: undefined,
 * //   limits: [{ policy: "api", remaining: 0, resetMs: 55_000, quota: 500, windowMs: 300_000 }] }
 */
export function readServerFeedback(
  response: { status?: number; headers?: HeadersLike | undefined },
  nowMs: number,
): ServerFeedback {
  try {
    return feedback(response, nowMs);
  } catch {
    return { status: undefined, limits: [], retryAfterMs: undefined };
  }
}
