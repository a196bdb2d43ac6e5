/**
 * The IETF draft-ietf-httpapi-ratelimit-headers-09 fields exactly as Hugging Face sends
 * them, e.g. `RateLimit: "api";r=0;t=55` and
 * `RateLimit-Policy: "fixed window";"api";q=500;w=300`.
 */

/** The parsed `RateLimit` field. */
export interface RateLimitValue {
  /** Bucket name, e.g. `api`. */
  readonly bucket: string;
  /** Requests left in the current window. */
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
}

/** The parsed `RateLimit-Policy` field. */
export interface RateLimitPolicyValue {
  /** Policy name: `fixed window` (what HF sends) or `rolling window` (simulator option). */
  readonly policy: string;
  /** Bucket name, e.g. `api`. */
  readonly bucket: string;
  /** Requests allowed per window. */
  readonly quota: number;
  /** Window length in seconds. */
  readonly windowSeconds: number;
}

// Structured-field strings (RFC 8941 sf-string) escape only `"` and `\`.
const quote = (text: string): string => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Formats a `RateLimit` header value. */
export function formatRateLimit(value: RateLimitValue): string {
  return `${quote(value.bucket)};r=${value.remaining};t=${value.resetSeconds}`;
}

/** Formats a `RateLimit-Policy` header value. */
export function formatRateLimitPolicy(value: RateLimitPolicyValue): string {
  return `${quote(value.policy)};${quote(value.bucket)};q=${value.quota};w=${value.windowSeconds}`;
}

/** Splits a header value into its quoted strings and `key=integer` parameters. */
function tokenize(header: string): { strings: string[]; params: Map<string, number> } | undefined {
  const strings: string[] = [];
  const params = new Map<string, number>();
  let i = 0;
  while (i < header.length) {
    const c = header[i];
    if (c === ";" || c === " ") {
      i++;
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === "\\") i++;
        text += header[i] ?? "";
        i++;
      }
      if (i >= header.length) return undefined;
      i++;
      strings.push(text);
    } else {
      const end = header.indexOf(";", i);
      const item = header.slice(i, end === -1 ? header.length : end).trim();
      const match = /^([a-z]+)=(-?\d+)$/.exec(item);
      if (!match) return undefined;
      params.set(match[1]!, Number(match[2]));
      i = end === -1 ? header.length : end;
    }
  }
  return { strings, params };
}

/** Parses a `RateLimit` value; `undefined` when malformed. Never throws. */
export function parseRateLimit(header: string): RateLimitValue | undefined {
  const parsed = tokenize(header);
  const r = parsed?.params.get("r");
  const t = parsed?.params.get("t");
  const bucket = parsed?.strings[0];
  if (bucket === undefined || r === undefined || t === undefined) return undefined;
  return { bucket, remaining: r, resetSeconds: t };
}

/** Parses a `RateLimit-Policy` value; `undefined` when malformed. Never throws. */
export function parseRateLimitPolicy(header: string): RateLimitPolicyValue | undefined {
  const parsed = tokenize(header);
  const q = parsed?.params.get("q");
  const w = parsed?.params.get("w");
  const [policy, bucket] = parsed?.strings ?? [];
  if (policy === undefined || bucket === undefined || q === undefined || w === undefined) return undefined;
  return { policy, bucket, quota: q, windowSeconds: w };
}
