import { createGovernor, type Governor, presets } from "@swarmgate/core";
import type { Recorder } from "./recorder.js";
import { retryWaitSource } from "./recording.js";
import type { Target } from "./target.js";

/** A governor for the target's tier and clock, wired into the recorder. */
export interface WatchedGovernor {
  readonly governor: Governor;
  /** Stops the sampling and closes the governor. */
  close(): Promise<void>;
}

/**
 * `presets.huggingface({ tier, timeScale })` — windows, ramp, backoff and the header time
 * scale of a compressed simulator — with its retries, waits and concurrency limit recorded.
 * Its credits are the governor's (reconciled from the answers' usage), against a monthly
 * budget of `budgetUsd` when one is given (`--budget`). Only model calls count as calls (Hub look-ups are calls of the governor too).
 */
export function watchedGovernor(
  name: string,
  target: Target,
  recorder: Recorder,
  options: { readonly recordCalls: boolean; readonly budgetUsd?: number | undefined },
): WatchedGovernor {
  const governor = createGovernor({
    name,
    ...presets.huggingface({ tier: target.tier, timeScale: target.timeScale }),
    ...(options.budgetUsd === undefined ? {} : { budget: { monthlyUsd: options.budgetUsd } }),
  });
  governor.on("retry", (e) => {
    recorder.retried(e.reason);
    recorder.waited(e.delayMs, retryWaitSource(e.reason), "starts");
  });
  governor.on("throttle", (e) => {
    if (e.source === "local_window" || e.source === "local_concurrency") recorder.waited(e.waitMs, e.source);
  });
  if (options.recordCalls)
    governor.on("callEnd", (e) => {
      if (e.info.operation === "hub_lookup" || e.outcome === "aborted") return;
      recorder.callEnded(e.outcome === "success", e.durationMs);
    });
  const sample = () => {
    const stats = governor.stats();
    recorder.sampleConcurrencyLimit(stats.concurrency?.limit ?? null);
    recorder.setCredits(stats.creditsSpentUsd);
    recorder.sampleThrottles(stats.throttles);
    governor.snapshot().then(
      (s) => recorder.setCreditsRemaining(s.credits?.remainingUsd ?? null),
      () => {}, // a store that cannot answer leaves the last value
    );
  };
  sample();
  const timer = setInterval(sample, Math.max(20, 1_000 / target.timeScale));
  timer.unref();
  return {
    governor,
    async close() {
      clearInterval(timer);
      sample();
      await governor.close();
    },
  };
}
