import type { WindowUse } from "./quota-tracker.js";

/** One point of the time series: what happened during one bucket of scenario time. */
export interface SeriesPoint {
  /** Start of the bucket, scenario seconds since the run began. */
  readonly t: number;
  /** HTTP requests answered (any status). */
  readonly requests: number;
  readonly ok: number;
  readonly status429: number;
  readonly status503: number;
  /** Other failures: other statuses, network errors. */
  readonly otherErrors: number;
  /** Logical calls (agent tasks, load-test calls) that succeeded / failed. */
  readonly callsOk: number;
  readonly callsFailed: number;
  /** Most HTTP requests in flight at once. */
  readonly inFlight: number;
  /** The governor's concurrency limit at the end of the bucket (`null` ungoverned). */
  readonly concurrencyLimit: number | null;
  /** Latency percentiles of the calls that ended in the bucket (scenario ms). */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Retries sent in the bucket, by reason (the governor's `FailureReason`). */
  readonly retriesByReason: Readonly<Record<string, number>>;
  /**
   * Scenario ms that calls spent waiting during the bucket, by source: `local_window`,
   * `local_concurrency`, and the backoff before a retry after a 429 (`server_429`), a 503
   * (`server_503`) or another failure (`retry_backoff`). A wait that spans buckets is split.
   */
  readonly waitMsBySource: Readonly<Record<string, number>>;
  /** The governor's throttles in the bucket, by `swarmgate.throttle.source` (governed only). */
  readonly throttlesBySource: Readonly<Record<string, number>>;
  /** Credits spent since the start, at the end of the bucket (USD). */
  readonly creditsUsd: number;
  /** Credits left in the governor's budget at the end of the bucket (`null` without one). */
  readonly creditsRemainingUsd: number | null;
}

/** Where a retry's backoff is counted in {@link SeriesPoint.waitMsBySource}. */
export function retryWaitSource(reason: string): string {
  if (reason === "rate_limited") return "server_429";
  if (reason === "overloaded" || reason === "loading") return "server_503";
  return "retry_backoff";
}

/** HTTP answers of one provider, by status. */
export interface ProviderCounts {
  /** Requests answered (any status, network errors included). */
  readonly requests: number;
  readonly ok: number;
  readonly status429: number;
  readonly status503: number;
  /** Other statuses and network errors. */
  readonly otherErrors: number;
}

/** Everything a run recorded, in scenario time. */
export interface Recording {
  readonly timeScale: number;
  readonly bucketSeconds: number;
  readonly elapsedSeconds: number;
  readonly series: SeriesPoint[];
  readonly totals: {
    readonly requests: number;
    readonly ok: number;
    readonly status429: number;
    readonly status503: number;
    readonly otherErrors: number;
    readonly callsOk: number;
    readonly callsFailed: number;
    readonly retries: number;
    readonly retriesByReason: Readonly<Record<string, number>>;
    readonly throttleWaitMs: number;
    /** {@link SeriesPoint.waitMsBySource} over the whole run (backoffs cut by the end included). */
    readonly throttleWaitMsBySource: Readonly<Record<string, number>>;
    readonly throttlesBySource: Readonly<Record<string, number>>;
    readonly creditsUsd: number;
    readonly maxInFlight: number;
  };
  /** Latency of successful calls, retries and waits included (scenario ms). */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly windows: WindowUse[];
  /**
   * Answers per provider that served or refused them (`x-inference-provider`); answers
   * without that header under {@link RecorderOptions.provider}. Sorted by name.
   */
  readonly providers: Readonly<Record<string, ProviderCounts>>;
}
