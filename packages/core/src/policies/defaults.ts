import type { ResolvedOptions } from "../options.js";
import type { Policy, PolicyKit } from "../policy.js";
import { attemptTimeoutPolicy } from "./attempt-timeout.js";
import { breakerPolicy } from "./breaker.js";
import { budgetPolicy } from "./budget.js";
import { concurrencyPolicy } from "./concurrency.js";
import { quotaPolicy } from "./quota.js";
import { retryPolicy } from "./retry.js";
import { upstreamPolicy } from "./upstream.js";

/**
 * The default pipeline, outer to inner, from the governor's options: budget → retry →
 * breaker → quota → concurrency → upstream → attempt-timeout, without the ones the options
 * turn off. The upstream's pace is the last wait before the request goes: a caller that
 * waited for a slot is paced when it sends, not when it queued.
 */
export function defaultPolicies(o: ResolvedOptions, kit: PolicyKit): Policy[] {
  const policies: Policy[] = [];
  if (o.budget) policies.push(budgetPolicy(kit, o.budget));
  policies.push(retryPolicy(kit, o.retry));
  if (o.breaker) policies.push(breakerPolicy(kit, o.breaker));
  if ([...o.quotas.values()].some((specs) => specs.length > 0))
    policies.push(quotaPolicy(kit, { quotas: Object.fromEntries(o.quotas) }));
  if (o.concurrency) policies.push(concurrencyPolicy(kit, o.concurrency, [...o.concurrencyClasses]));
  if (o.upstream) policies.push(upstreamPolicy(kit, o.upstream));
  policies.push(attemptTimeoutPolicy(o.attemptTimeoutMs));
  return policies;
}
