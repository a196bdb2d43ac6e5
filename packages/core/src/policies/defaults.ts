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
 * breaker → upstream → quota → concurrency → attempt-timeout, without the ones the options
 * turn off. The upstream's limits come before the account's windows, so that a call waiting
 * for its provider holds no account permit.
 */
export function defaultPolicies(o: ResolvedOptions, kit: PolicyKit): Policy[] {
  const policies: Policy[] = [];
  if (o.budget) policies.push(budgetPolicy(kit, o.budget));
  policies.push(retryPolicy(kit, o.retry));
  if (o.breaker) policies.push(breakerPolicy(kit, o.breaker));
  if (o.upstream) policies.push(upstreamPolicy(kit, o.upstream));
  if ([...o.quotas.values()].some((specs) => specs.length > 0))
    policies.push(quotaPolicy(kit, { quotas: Object.fromEntries(o.quotas) }));
  if (o.concurrency) policies.push(concurrencyPolicy(kit, o.concurrency, [...o.concurrencyClasses]));
  policies.push(attemptTimeoutPolicy(o.attemptTimeoutMs));
  return policies;
}
