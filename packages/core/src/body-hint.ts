import { parseResetDuration } from "./provider-limits.js";

/** What an error answer's body says about when to try again. */
export interface BodyHint {
  /** Milliseconds the body asks to wait ("try again in 11.4s", "retry after 20 seconds", `estimated_time`), at most MAX_BODY_HINT_MS. */
  readonly retryAfterMs: number | undefined;
  /** True for a model still loading (a cold start): "Model X is currently loading", `estimated_time`, "is loading". */
  readonly loading: boolean;
}

/** The longest wait a body may ask for: 5 minutes. */
export const MAX_BODY_HINT_MS = 300_000;

const MAX_TEXT = 64 * 1024;
const LOADING = /\bis (?:currently )?loading\b/i;
// "try again in 11.455s", "retry after 20 seconds", "Try again in 2 minutes". Every quantifier
// is bounded, so 64 KiB of hostile text costs linear time.
const WAIT =
  /\b(?:try\s{1,4}again|retry)\s{1,4}(?:in|after)\s{1,4}(\d[\d.]{0,20}(?:[a-zµμ]{1,2}[\d.]{0,20}){0,8})(?:\s{1,4}([a-z]{1,12}))?/gi;
const WORD_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

// A getter that throws or a proxy trap costs that one field, not the whole hint.
function field(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function decode(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, MAX_TEXT);
  const bytes =
    body instanceof ArrayBuffer
      ? new Uint8Array(body, 0, Math.min(body.byteLength, MAX_TEXT))
      : body instanceof Uint8Array
        ? body.subarray(0, MAX_TEXT)
        : undefined;
  // A cut multi-byte character at the 64 KiB mark decodes as U+FFFD, which no pattern needs.
  return bytes && new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

function bounded(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 ? Math.round(Math.min(ms, MAX_BODY_HINT_MS)) + 0 : undefined;
}

// HF's legacy cold start: `estimated_time` in seconds. Negative, NaN or non-numeric is ignored.
function estimatedTime(value: unknown): number | undefined {
  const seconds =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*\d{1,16}(?:\.\d{1,20})?\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(seconds)) return undefined;
  // Capped before scaling, so that an estimate near Number.MAX_VALUE caps rather than overflows.
  return bounded(Math.min(seconds, MAX_BODY_HINT_MS / 1000) * 1000);
}

function waitIn(text: string): number | undefined {
  for (const [, amount = "", word = ""] of text.matchAll(WAIT)) {
    // The sentence's full stop is no part of the amount: "Please try again in 11.455s."
    const token = amount.replace(/\.+$/, "").toLowerCase();
    const ms = /^[\d.]+$/.test(token)
      ? /^\d+(?:\.\d+)?$/.test(token)
        ? Number(token) * (WORD_UNIT[word.toLowerCase()] ?? 1000)
        : Number.NaN
      : (parseResetDuration(token, 0) ?? Number.NaN);
    const wait = bounded(ms);
    if (wait !== undefined) return wait;
  }
  return undefined;
}

// The strings an error body carries: HF's `{ error: "…" }`, OpenAI/Groq's `{ error: { message } }`,
// and the `message`/`detail` fields FastAPI and TGI servers use.
function messages(json: unknown): string[] {
  const error = field(json, "error");
  const candidates = [json, error, field(error, "message"), field(json, "message"), field(json, "detail")];
  return candidates.filter((v): v is string => typeof v === "string").map((v) => v.slice(0, MAX_TEXT));
}

function hint(body: unknown): BodyHint | undefined {
  const text = decode(body);
  let json: unknown = text === undefined ? body : undefined;
  if (text !== undefined && /^\s*[[{"]/.test(text)) {
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON (or cut at 64 KiB): read as plain text below.
    }
  }
  // HF's older API answered some calls with a one-element array: `[{ "error": …, "estimated_time": … }]`.
  if (Array.isArray(json)) json = field(json, "0");
  const texts = json === undefined ? [text ?? ""] : messages(json);
  const estimated = estimatedTime(
    field(json, "estimated_time") ?? field(field(json, "error"), "estimated_time"),
  );
  const loading = estimated !== undefined || texts.some((t) => LOADING.test(t));
  let retryAfterMs = estimated;
  for (const t of texts) retryAfterMs ??= waitIn(t);
  return retryAfterMs === undefined && !loading ? undefined : { retryAfterMs, loading };
}

/**
 * Reads a hint from a body: a string (JSON or plain text), a parsed JSON object
 * (`{ error: "…", estimated_time: 20 }`, `{ error: { message: "… Please try again in 6.5s …" } }`, OpenAI/Groq style
 * `{ error: { message, type, code } }`), or a Uint8Array/ArrayBuffer of UTF-8. Returns undefined when the body says nothing.
 * Only the first 64 KiB of text are examined. Never throws (cyclic objects, getters that throw, proxies).
 *
 * @example
 * readBodyHint('{"error":"Model meta-llama/X is currently loading","estimated_time":20.0}');
 * // { retryAfterMs: 20_000, loading: true }
 * readBodyHint({ error: { message: "Rate limit reached … Please try again in 11.455s.", code: "rate_limit_exceeded" } });
 * // { retryAfterMs: 11_455, loading: false }
 */
export function readBodyHint(body: unknown): BodyHint | undefined {
  try {
    return hint(body);
  } catch {
    return undefined;
  }
}
