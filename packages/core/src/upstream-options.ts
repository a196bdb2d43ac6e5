import type { CallInfo } from "./call-info.js";

/** Options of `upstreamPolicy` (`upstream` in the governor's options). */
export interface UpstreamOptions {
  /**
   * Learns an admission rate per upstream from 429s that state no limit (no `RateLimit`,
   * no provider header): cut by `decrease` on such a 429, climbing back while answers
   * succeed. `false` leaves header-less 429s to the retry's backoff. @default true
   */
  readonly learnRate: boolean;
  /** The rate is multiplied by this on a header-less 429. @default 0.7 */
  readonly decrease: number;
  /** The lowest rate learned, in requests per second. @default 0.05 */
  readonly minRatePerSecond: number;
  /** How much of the learned rate may go at once, in milliseconds of it. @default 250 */
  readonly burstMs: number;
  /**
   * The longest pause an upstream's answer may impose on every call to it (a cold start's
   * `estimated_time`, "try again in 11.4s"). @default 300_000
   */
  readonly maxPauseMs: number;
  /** The pause after a "model is loading" 503 that gives no estimate. @default 5_000 */
  readonly loadingPauseMs: number;
  /**
   * After 2 failures in a row that say the upstream is down (a 503 that is not a cold start,
   * a 502 or 504, a network error, a timeout), nobody goes to it for two of its answers'
   * latencies, then one probe; while probes fail the pause doubles, up to this long; the
   * first answer ends it. `0`: never.
   * @default the breaker's `resetTimeoutMs` (30 s, or a tenth of the shortest quota window); 0 with `breaker: false` or `waitForProbe: false`
   */
  readonly outagePauseMs: number;
  /**
   * Which upstream a call goes to: its limits are learned apart from every other's.
   * @default info.breakerKey ?? info.provider ?? requestClass
   */
  readonly key: ((info: CallInfo, requestClass: string) => string) | undefined;
  /** Estimated tokens of an attempt, for token limits a provider states. @default info.estimatedTokens ?? 0 */
  readonly tokens: ((info: CallInfo) => number) | undefined;
}

const defaultKey = (info: CallInfo, requestClass: string): string =>
  info.breakerKey ?? info.provider ?? requestClass;

/** The upstream key of a call: `o.key`'s answer, or the default when it has none (or throws). */
export function upstreamKey(o: UpstreamOptions, info: CallInfo, requestClass: string): string {
  if (o.key === undefined) return defaultKey(info, requestClass);
  try {
    const k: unknown = o.key(info, requestClass);
    return typeof k === "string" ? k : defaultKey(info, requestClass);
  } catch {
    return defaultKey(info, requestClass);
  }
}

/** The tokens an attempt takes from a token window: `o.tokens`'s answer or `info.estimatedTokens`, else 0. */
export function estimatedTokens(o: UpstreamOptions, info: CallInfo): number {
  let n: unknown = info.estimatedTokens;
  if (o.tokens !== undefined) {
    try {
      n = o.tokens(info);
    } catch {
      n = 0;
    }
  }
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
}
