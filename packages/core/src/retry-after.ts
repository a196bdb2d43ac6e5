import { MAX_SECONDS } from "./structured-fields.js";

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
 * for garbage. Never throws. What the governor then waits is bounded further: see
 * `boundCorrection` (two windows) and `MAX_SERVER_WAIT_MS`.
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
