import { percentiles } from "./percentile.js";
import { QuotaTracker } from "./quota-tracker.js";
import type { ProviderCounts, Recording, SeriesPoint } from "./recording.js";

export type { ProviderCounts, Recording, SeriesPoint } from "./recording.js";
export { retryWaitSource } from "./recording.js";

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
  retries: Record<string, number>;
  throttles: Record<string, number>;
  creditsUsd: number;
  creditsRemainingUsd: number | null;
}

const add = (tally: Record<string, number>, key: string, n: number) => {
  tally[key] = (tally[key] ?? 0) + n;
};

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
 * concurrency limit, 429, 503, latency percentiles, retries by reason, waits and throttles
 * by source, credits) plus totals. The transport reports
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
  #creditsRemainingUsd: number | null = null;
  readonly #retriesByReason: Record<string, number> = {};
  readonly #waitBySource: Record<string, number> = {};
  /** Scenario ms waited per bucket index (a backoff may reach into buckets not yet open). */
  readonly #waits = new Map<number, Record<string, number>>();
  readonly #throttles: Record<string, number> = {};
  #throttleCounts: Readonly<Record<string, number>> = {};
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
        retries: {},
        throttles: {},
        creditsUsd: this.#creditsUsd,
        creditsRemainingUsd: this.#creditsRemainingUsd,
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

  /** A request is re-sent because of `reason` (a `FailureReason`). */
  retried(reason = "unknown"): void {
    this.#retries++;
    add(this.#retriesByReason, reason, 1);
    add(this.#bucket().retries, reason, 1);
  }

  /**
   * A call waited `wallMs` for a permit, a slot or a backoff (`source`, see
   * {@link SeriesPoint.waitMsBySource}): a wait that `"ended"` now, or one that `"starts"`
   * now (a backoff about to be slept).
   */
  waited(wallMs: number, source = "retry_backoff", when: "ended" | "starts" = "ended"): void {
    if (!Number.isFinite(wallMs) || wallMs <= 0) return;
    const ms = wallMs * this.timeScale;
    this.#throttleWaitMs += ms;
    add(this.#waitBySource, source, ms);
    const now = this.elapsedWallMs();
    const [from, to] = when === "ended" ? [now - wallMs, now] : [now, now + wallMs];
    const width = this.#bucketWallMs;
    for (let i = Math.max(0, Math.floor(from / width)); i * width < to; i++) {
      const overlap = Math.min(to, (i + 1) * width) - Math.max(from, i * width);
      if (overlap <= 0) continue;
      const tally = this.#waits.get(i) ?? {};
      this.#waits.set(i, tally);
      add(tally, source, overlap * this.timeScale);
    }
  }

  /** A call cost `usd`. */
  spent(usd: number): void {
    if (Number.isFinite(usd) && usd > 0) this.#creditsUsd += usd;
    this.#bucket().creditsUsd = this.#creditsUsd;
  }

  /** The credits a governor says it spent (replaces what {@link spent} added). */
  setCredits(usd: number): void {
    if (Number.isFinite(usd) && usd >= 0) this.#creditsUsd = usd;
    this.#bucket().creditsUsd = this.#creditsUsd;
  }

  /** The credits left in the governor's budget now (`null`: no budget). */
  setCreditsRemaining(usd: number | null): void {
    this.#creditsRemainingUsd = usd !== null && Number.isFinite(usd) && usd >= 0 ? usd : null;
    this.#bucket().creditsRemainingUsd = this.#creditsRemainingUsd;
  }

  /**
   * The governor's throttle counters since its creation (`stats().throttles`): what grew
   * since the last sample is counted in the current bucket.
   */
  sampleThrottles(counts: Readonly<Record<string, number>>): void {
    const bucket = this.#bucket();
    for (const [source, n] of Object.entries(counts)) {
      const delta = n - (this.#throttleCounts[source] ?? 0);
      if (delta <= 0) continue;
      add(bucket.throttles, source, delta);
      add(this.#throttles, source, delta);
    }
    this.#throttleCounts = { ...counts };
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
      retriesByReason: { ...this.#retriesByReason },
      throttleWaitMs: this.#throttleWaitMs,
      throttleWaitMsBySource: { ...this.#waitBySource },
      throttlesBySource: { ...this.#throttles },
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
        retriesByReason: { ...b.retries },
        waitMsBySource: { ...this.#waits.get(i) },
        throttlesBySource: { ...b.throttles },
        creditsUsd: b.creditsUsd,
        creditsRemainingUsd: b.creditsRemainingUsd,
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
