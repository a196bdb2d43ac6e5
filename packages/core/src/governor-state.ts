import type { ActiveCalls } from "./active-calls.js";
import type { BreakerState } from "./breaker.js";
import { breakerStateValue } from "./breaker.js";
import type { Policy, PolicySnapshot, PolicyState, UpstreamSnapshot } from "./policy.js";
import type { WindowSnapshot } from "./quota-store.js";
import type { GovernorStats, StatsRecorder } from "./stats.js";

/** The store's view of quotas and credits, for dashboards and CLIs. */
export interface GovernorSnapshot {
  readonly windows: Readonly<Record<string, readonly WindowSnapshot[]>>;
  /** What was learned per upstream key (see `PolicySnapshot.upstreams`). */
  readonly upstreams: NonNullable<PolicySnapshot["upstreams"]>;
  readonly credits:
    | {
        readonly spentUsd: number;
        readonly reservedUsd: number;
        readonly remainingUsd: number;
        readonly limitUsd: number;
      }
    | undefined;
}

/** Every policy's state, merged: the first concurrency limit, all quotas and breakers. */
export function policyState(policies: readonly Policy[]): {
  concurrency: PolicyState["concurrency"];
  quota: Record<string, { remaining: number; waiting: number }>;
  breakers: Record<string, BreakerState>;
} {
  let concurrency: PolicyState["concurrency"];
  const quota: Record<string, { remaining: number; waiting: number }> = {};
  const breakers: Record<string, BreakerState> = {};
  for (const policy of policies) {
    const state = policy.state?.();
    if (!state) continue;
    concurrency ??= state.concurrency;
    Object.assign(quota, state.quota);
    Object.assign(breakers, state.breakers);
  }
  return { concurrency, quota, breakers };
}

/** `governor.stats()`: counters since creation and the policies' state right now. */
export function governorStats(
  name: string,
  stats: StatsRecorder,
  active: ActiveCalls,
  policies: readonly Policy[],
): GovernorStats {
  const { concurrency, quota, breakers } = policyState(policies);
  return {
    name,
    calls: { started: stats.started, settled: stats.settled, inFlight: active.size },
    outcomes: { ...stats.outcomes },
    attempts: stats.attempts,
    retries: { ...stats.retries },
    throttles: { ...stats.throttles },
    latencyMs: stats.latency.snapshot(),
    concurrency: concurrency ? { ...concurrency } : undefined,
    quota,
    breakers,
    creditsSpentUsd: stats.creditsSpentUsd,
  };
}

/** `governor.snapshot()`: every policy's view of the store, merged. */
export async function governorSnapshot(policies: readonly Policy[], now: number): Promise<GovernorSnapshot> {
  const windows: Record<string, readonly WindowSnapshot[]> = {};
  const upstreams: Record<string, UpstreamSnapshot> = {};
  let credits: PolicySnapshot["credits"];
  for (const policy of policies) {
    if (!policy.snapshot) continue;
    const part = await policy.snapshot(now);
    Object.assign(windows, part.windows);
    Object.assign(upstreams, part.upstreams);
    credits ??= part.credits;
  }
  return { windows, upstreams, credits };
}

/** The breaker states as the `swarmgate.breaker.state` gauge reports them (0, 1, 2). */
export function breakerGauge(policies: readonly Policy[]): Record<string, number> {
  const { breakers } = policyState(policies);
  return Object.fromEntries(Object.entries(breakers).map(([k, s]) => [k, breakerStateValue[s]]));
}
