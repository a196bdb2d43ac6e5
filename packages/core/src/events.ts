import type { BreakerState } from "./breaker.js";
import type { CallInfo } from "./call-info.js";
import type { FailureReason } from "./classify.js";
import type { Outcome, ThrottleSource } from "./semconv.js";

/** The events of a governor, for `governor.on(name, listener)`. */
export interface GovernorEvents {
  /** An attempt failed and another follows after `delayMs`. */
  retry: (event: {
    readonly attempt: number;
    readonly reason: FailureReason;
    readonly delayMs: number;
    readonly error: unknown;
    readonly info: CallInfo;
  }) => void;
  /** A call waited for a quota permit or a concurrency slot. */
  throttle: (event: {
    readonly source: ThrottleSource;
    readonly waitMs: number;
    readonly requestClass: string;
    readonly info: CallInfo;
  }) => void;
  /** A breaker changed state. */
  breaker: (event: { readonly key: string; readonly state: BreakerState }) => void;
  /**
   * An upstream answered 429 without stating any limit, and the admission rate learned for
   * it was cut to `ratePerSecond` (it climbs back while answers succeed).
   */
  upstreamRate: (event: { readonly key: string; readonly ratePerSecond: number }) => void;
  /** A call settled (for a held stream: when the stream ended). */
  callEnd: (event: {
    readonly outcome: Outcome;
    readonly durationMs: number;
    readonly attempts: number;
    readonly info: CallInfo;
    readonly error: unknown;
  }) => void;
  /** A response corrected a quota window. */
  quotaCorrected: (event: {
    readonly requestClass: string;
    readonly remaining: number | undefined;
    readonly resetMs: number | undefined;
    readonly quota: number | undefined;
    readonly exhausted: boolean;
  }) => void;
  /**
   * The upstream's word on credits for a request class: a 402 marked them `exhausted` (the
   * next probe in `nextProbeMs`), a `probe` attempt was let through, or they `resumed` (a
   * probe was answered without 402, or `resetCredits()`).
   */
  credits: (event: {
    readonly state: "exhausted" | "probe" | "resumed";
    readonly requestClass: string;
    readonly nextProbeMs: number | undefined;
  }) => void;
}
