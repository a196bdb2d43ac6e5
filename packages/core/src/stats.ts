import type { BreakerState } from "./breaker.js";
import type { FailureReason } from "./classify.js";
import { LatencyHistogram, type LatencySnapshot } from "./latency-histogram.js";
import type { Outcome, ThrottleSource } from "./semconv.js";

/** What `governor.stats()` returns: counters since creation and the state right now. */
export interface GovernorStats {
  readonly name: string;
  readonly calls: {
    readonly started: number;
    readonly settled: number;
    readonly inFlight: number;
  };
  /** Settled calls by outcome. */
  readonly outcomes: Readonly<Record<Outcome, number>>;
  /** Attempts sent (first attempts and retries). */
  readonly attempts: number;
  /** Retries by reason. */
  readonly retries: Readonly<Partial<Record<FailureReason, number>>>;
  /** Throttles by source. */
  readonly throttles: Readonly<Record<ThrottleSource, number>>;
  /** Latency of successful calls, retries and waits included (ms). */
  readonly latencyMs: LatencySnapshot;
  readonly concurrency:
    | { readonly limit: number; readonly inFlight: number; readonly queued: number }
    | undefined;
  /** Permits left in the tightest window of each request class at its last decision, and callers waiting. */
  readonly quota: Readonly<Record<string, { readonly remaining: number; readonly waiting: number }>>;
  readonly breakers: Readonly<Record<string, BreakerState>>;
  /** Credits spent by this process's calls (USD). */
  readonly creditsSpentUsd: number;
}

const outcomes: Outcome[] = [
  "success",
  "error",
  "rate_limited",
  "budget_exceeded",
  "circuit_open",
  "queue_full",
  "timeout",
  "aborted",
  "closed",
];
const sources: ThrottleSource[] = [
  "local_window",
  "local_concurrency",
  "server_429",
  "server_503",
  "breaker_open",
];

/** @internal The counters behind {@link GovernorStats}. */
export class StatsRecorder {
  started = 0;
  settled = 0;
  attempts = 0;
  creditsSpentUsd = 0;
  readonly outcomes = Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<Outcome, number>;
  readonly retries: Partial<Record<FailureReason, number>> = {};
  readonly throttles = Object.fromEntries(sources.map((s) => [s, 0])) as Record<ThrottleSource, number>;
  readonly latency = new LatencyHistogram();

  retry(reason: FailureReason): void {
    this.retries[reason] = (this.retries[reason] ?? 0) + 1;
  }

  settle(outcome: Outcome, durationMs: number): void {
    this.settled++;
    this.outcomes[outcome]++;
    if (outcome === "success") this.latency.record(durationMs);
  }
}
