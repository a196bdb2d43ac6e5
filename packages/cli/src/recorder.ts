import { percentiles } from "./percentile.js";
import { QuotaTracker, type WindowUse } from "./quota-tracker.js";

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
    readonly throttleWaitMs: number;
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

interface Bucket {
  requests: number;
  ok: number;
  status429: number;
  status503: number;
  otherErrors: number;
  callsOk: number;
  callsFailed: number;
  inFlight: number;
  concurrencyLimit: number | null;
  latencies: number[];
}

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /** Scenario ms per wall ms (the simulator's time scale; 1 against a real service). */
  readonly timeScale: number;
  /** Width of a series bucket, scenario ms. @default 1_000 */
  readonly bucketMs?: number;
  /** Wall clock. @default performance.now */
  readonly now?: () => number;
  /**
   * Where an answer without `x-inference-provider` is counted: the pinned provider, or the
   * router (its own 429s and 503s come before any provider is chosen). @default "router"
   */
  readonly provider?: string;
}

/**
 * Records a run as a time series per bucket of scenario time (throughput, in flight,
 * concurrency limit, 429, 503, latency percentiles) plus totals. The transport reports
 * HTTP requests, the driver reports logical calls, the governor's events report retries
 * and waits. Times in are wall ms; everything out is scenario time (wall × timeScale).
 */
export class Recorder {
  readonly timeScale: number;
  readonly quota = new QuotaTracker();
  readonly #bucketWallMs: number;
  readonly #bucketMs: number;
  readonly #now: () => number;
  readonly #start: number;
  readonly #buckets: Bucket[] = [];
  readonly #latencies: number[] = [];
  #inFlight = 0;
  #maxInFlight = 0;
  #retries = 0;
  #throttleWaitMs = 0;
  #creditsUsd = 0;
  #concurrencyLimit: number | null = null;
  readonly #fallbackProvider: string;
  readonly #providers = new Map<string, { -readonly [K in keyof ProviderCounts]: ProviderCounts[K] }>();

  constructor(options: RecorderOptions) {
    this.#fallbackProvider = options.provider ?? "router";
    this.timeScale = options.timeScale;
    this.#bucketMs = options.bucketMs ?? 1_000;
    this.#bucketWallMs = this.#bucketMs / options.timeScale;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
  }

  /** Wall ms since the recording started. */
  elapsedWallMs(): number {
    return this.#now() - this.#start;
  }

  #bucket(): Bucket {
    const index = Math.max(0, Math.floor(this.elapsedWallMs() / this.#bucketWallMs));
    for (let i = this.#buckets.length; i <= index; i++)
      this.#buckets.push({
        requests: 0,
        ok: 0,
        status429: 0,
        status503: 0,
        otherErrors: 0,
        callsOk: 0,
        callsFailed: 0,
        inFlight: this.#inFlight,
        concurrencyLimit: this.#concurrencyLimit,
        latencies: [],
      });
    return this.#buckets[index]!;
  }

  /** An HTTP request was sent. */
  requestStarted(): void {
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    const bucket = this.#bucket();
    bucket.inFlight = Math.max(bucket.inFlight, this.#inFlight);
  }

  /** An HTTP request was answered with `status` (0 for a network error). */
  requestEnded(status: number, headers?: Headers): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const bucket = this.#bucket();
    const name = headers?.get("x-inference-provider") || this.#fallbackProvider;
    let provider = this.#providers.get(name);
    if (!provider) {
      provider = { requests: 0, ok: 0, status429: 0, status503: 0, otherErrors: 0 };
      this.#providers.set(name, provider);
    }
    const key =
      status >= 200 && status < 300
        ? "ok"
        : status === 429
          ? "status429"
          : status === 503
            ? "status503"
            : "otherErrors";
    bucket.requests++;
    bucket[key]++;
    provider.requests++;
    provider[key]++;
    if (headers) this.quota.observe(headers);
  }

  /** An HTTP request was abandoned by its caller (end of the run, Ctrl-C): not counted. */
  requestCancelled(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /** A logical call ended after `wallMs` (retries and waits included). */
  callEnded(ok: boolean, wallMs: number): void {
    const bucket = this.#bucket();
    if (ok) {
      bucket.callsOk++;
      const ms = wallMs * this.timeScale;
      bucket.latencies.push(ms);
      this.#latencies.push(ms);
    } else bucket.callsFailed++;
  }

  /** A request was re-sent. */
  retried(): void {
    this.#retries++;
  }

  /** A call waited `wallMs` for a permit, a slot or a backoff. */
  waited(wallMs: number): void {
    this.#throttleWaitMs += wallMs * this.timeScale;
  }

  /** A call cost `usd`. */
  spent(usd: number): void {
    if (Number.isFinite(usd) && usd > 0) this.#creditsUsd += usd;
  }

  /** The credits a governor says it spent (replaces what {@link spent} added). */
  setCredits(usd: number): void {
    if (Number.isFinite(usd) && usd >= 0) this.#creditsUsd = usd;
  }

  /** The governor's concurrency limit now. */
  sampleConcurrencyLimit(limit: number | null): void {
    this.#concurrencyLimit = limit;
    this.#bucket().concurrencyLimit = limit;
  }

  /** HTTP requests in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The recording so far. */
  snapshot(): Recording {
    this.#bucket(); // close the series at "now"
    const bucketSeconds = this.#bucketMs / 1000;
    const totals = {
      requests: 0,
      ok: 0,
      status429: 0,
      status503: 0,
      otherErrors: 0,
      callsOk: 0,
      callsFailed: 0,
      retries: this.#retries,
      throttleWaitMs: this.#throttleWaitMs,
      creditsUsd: this.#creditsUsd,
      maxInFlight: this.#maxInFlight,
    };
    const series = this.#buckets.map((b, i): SeriesPoint => {
      for (const key of [
        "requests",
        "ok",
        "status429",
        "status503",
        "otherErrors",
        "callsOk",
        "callsFailed",
      ] as const)
        totals[key] += b[key];
      return {
        t: i * bucketSeconds,
        requests: b.requests,
        ok: b.ok,
        status429: b.status429,
        status503: b.status503,
        otherErrors: b.otherErrors,
        callsOk: b.callsOk,
        callsFailed: b.callsFailed,
        inFlight: b.inFlight,
        concurrencyLimit: b.concurrencyLimit,
        ...percentiles([...b.latencies]),
      };
    });
    return {
      timeScale: this.timeScale,
      bucketSeconds,
      elapsedSeconds: (this.elapsedWallMs() * this.timeScale) / 1000,
      series,
      totals,
      latencyMs: percentiles([...this.#latencies]),
      windows: this.quota.windows(),
      providers: Object.fromEntries(
        [...this.#providers.keys()].sort().map((name) => [name, { ...this.#providers.get(name)! }]),
      ),
    };
  }
}
