import type { BreakerOptions } from "./breaker.js";
import type { BudgetOptions } from "./budget.js";
import type { ConcurrencyOptions } from "./concurrency.js";
import type { WindowSpec } from "./quota-store.js";
import type { RetryOptions } from "./retry.js";
import type { UpstreamOptions } from "./upstream-options.js";
import {
  expectDuration,
  expectFunction,
  expectInteger,
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  fail,
} from "./validate.js";

// Each policy's options, defaults spread once and validated once: `createGovernor` and the
// policy factories (`retryPolicy(kit, options)`, …) resolve them the same way.

const concurrencyDefaults: ConcurrencyOptions = {
  initial: 10,
  max: 50,
  rampMs: 180_000,
  maxQueue: 10_000,
  adaptive: { decrease: 0.7, min: 1 },
  pollMs: 50,
};
const retryDefaults: RetryOptions = {
  maxAttempts: 6,
  maxThrottledAttempts: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  budget: { ratio: 0.2, minRetries: 10, windowMs: 10_000 },
  random: Math.random,
};
const breakerDefaults: BreakerOptions = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 30_000,
  volumeThreshold: 10,
  rollingWindowMs: 10_000,
  waitForProbe: true,
};

// The keys each options object may have: any other is refused, naming the closest of these.
const keys = (...names: string[]): ReadonlySet<string> => new Set(names);
const WINDOW_KEYS = keys("name", "limit", "windowMs", "kind", "smoothing");
const SMOOTHING_KEYS = keys("burst", "widen");
const CONCURRENCY_KEYS = keys("initial", "max", "rampMs", "maxQueue", "adaptive", "pollMs");
const ADAPTIVE_KEYS = keys("decrease", "min");
const RETRY_KEYS = keys(
  "maxAttempts",
  "maxThrottledAttempts",
  "baseDelayMs",
  "maxDelayMs",
  "budget",
  "random",
);
const RETRY_BUDGET_KEYS = keys("ratio", "minRetries", "windowMs");
const BREAKER_KEYS = keys(
  "errorThresholdPercentage",
  "resetTimeoutMs",
  "volumeThreshold",
  "rollingWindowMs",
  "waitForProbe",
);
const BUDGET_KEYS = keys("monthlyUsd", "defaultEstimateUsd", "estimateUsd");

const upstreamDefaults: UpstreamOptions = {
  learnRate: true,
  decrease: 0.7,
  minRatePerSecond: 0.05,
  burstMs: 250,
  maxPauseMs: 300_000,
  loadingPauseMs: 5_000,
  outagePauseMs: 30_000,
  key: undefined,
  tokens: undefined,
};

/** The keys of the upstream policy's options (`upstream`). */
export const UPSTREAM_POLICY_KEYS = keys(
  "learnRate",
  "decrease",
  "minRatePerSecond",
  "burstMs",
  "maxPauseMs",
  "loadingPauseMs",
  "outagePauseMs",
  "key",
  "tokens",
);

/** Upstream options (`upstream`, `upstreamPolicy(kit, options)`). */
export function resolveUpstream(
  input: unknown,
  known: ReadonlySet<string> = UPSTREAM_POLICY_KEYS,
): UpstreamOptions {
  const u = { ...upstreamDefaults, ...optionsAt("upstream", input, known) } as UpstreamOptions;
  if (typeof u.learnRate !== "boolean") fail("upstream.learnRate", "a boolean", u.learnRate);
  expectNumber("upstream.decrease", u.decrease, 0.01, 0.99);
  expectNumber("upstream.minRatePerSecond", u.minRatePerSecond, 1e-6);
  expectDuration("upstream.burstMs", u.burstMs, 1);
  expectDuration("upstream.maxPauseMs", u.maxPauseMs);
  expectDuration("upstream.loadingPauseMs", u.loadingPauseMs);
  expectDuration("upstream.outagePauseMs", u.outagePauseMs);
  if (u.key !== undefined) expectFunction("upstream.key", u.key);
  if (u.tokens !== undefined) expectFunction("upstream.tokens", u.tokens);
  return u;
}

/** The keys of `quotaPolicy`'s options (`QuotaPolicyOptions`). */
export const QUOTA_POLICY_KEYS = keys("name", "quotas", "requestClass", "permits", "reconcile");

/** An options object at `path` with no key outside `known` (undefined is `{}`). */
export function optionsAt(path: string, value: unknown, known: ReadonlySet<string>): Record<string, unknown> {
  const o = expectObject(path, value);
  expectKnownKeys(`\`${path}\``, o, known);
  return o;
}

/** The windows of one request class; `path` names them in errors (`quotas.api`). */
export function resolveWindows(path: string, list: unknown): WindowSpec[] {
  if (!Array.isArray(list)) fail(path, "an array of windows", list);
  const names = new Set<string>();
  return list.map((raw, i) => {
    if (raw === undefined) fail(`${path}[${i}]`, "a window ({ limit, windowMs })", raw);
    const w = optionsAt(`${path}[${i}]`, raw, WINDOW_KEYS);
    const windowMs = expectDuration(`${path}[${i}].windowMs`, w.windowMs, 1);
    if (!Number.isInteger(windowMs)) fail(`${path}[${i}].windowMs`, "an integer", windowMs);
    const limit = expectInteger(`${path}[${i}].limit`, w.limit, 1);
    const name = w.name === undefined ? `${windowMs / 1000}s` : expectString(`${path}[${i}].name`, w.name);
    if (names.has(name)) fail(`${path}[${i}].name`, "unique within its request class", name);
    names.add(name);
    const kind = expectOneOf(`${path}[${i}].kind`, w.kind ?? "fixed", ["fixed", "sliding"] as const);
    let smoothing: { burst: number; widen?: boolean } | undefined;
    if (w.smoothing !== undefined) {
      const s = optionsAt(`${path}[${i}].smoothing`, w.smoothing, SMOOTHING_KEYS);
      const burst = expectInteger(`${path}[${i}].smoothing.burst`, s.burst, 1);
      if (burst > limit)
        fail(`${path}[${i}].smoothing.burst`, `at most the window's limit (${limit})`, burst);
      if (s.widen !== undefined && typeof s.widen !== "boolean")
        fail(`${path}[${i}].smoothing.widen`, "a boolean", s.widen);
      smoothing = s.widen === false ? { burst, widen: false } : { burst };
    }
    return { name, limit, windowMs, kind, smoothing };
  });
}

/** Concurrency options (`concurrency`). */
export function resolveConcurrency(input: unknown): ConcurrencyOptions {
  const c = {
    ...concurrencyDefaults,
    ...optionsAt("concurrency", input, CONCURRENCY_KEYS),
  } as ConcurrencyOptions;
  expectInteger("concurrency.max", c.max, 1);
  expectInteger("concurrency.initial", c.initial, 1);
  if (c.initial > c.max) fail("concurrency.initial", `at most concurrency.max (${c.max})`, c.initial);
  expectDuration("concurrency.rampMs", c.rampMs);
  expectInteger("concurrency.maxQueue", c.maxQueue, 0, true);
  expectDuration("concurrency.pollMs", c.pollMs, 1);
  if (c.adaptive === false) return c;
  if (c.adaptive === undefined || c.adaptive === null)
    fail("concurrency.adaptive", "false, true or { decrease, min }", c.adaptive);
  const a = optionsAt(
    "concurrency.adaptive",
    c.adaptive === (true as unknown) ? {} : c.adaptive,
    ADAPTIVE_KEYS,
  );
  const adaptive = { decrease: 0.7, min: 1, ...a };
  expectNumber("concurrency.adaptive.decrease", adaptive.decrease, 0.01, 0.99);
  expectInteger("concurrency.adaptive.min", adaptive.min, 1);
  if (adaptive.min > c.max)
    fail("concurrency.adaptive.min", `at most concurrency.max (${c.max})`, adaptive.min);
  return { ...c, adaptive };
}

/** Retry options (`retry`; `false` for a single attempt). */
export function resolveRetry(input: unknown): RetryOptions {
  const r = input === false ? { maxAttempts: 1 } : optionsAt("retry", input, RETRY_KEYS);
  const retry = { ...retryDefaults, ...r } as RetryOptions;
  expectInteger("retry.maxAttempts", retry.maxAttempts, 1);
  expectInteger("retry.maxThrottledAttempts", retry.maxThrottledAttempts, 0);
  expectDuration("retry.baseDelayMs", retry.baseDelayMs);
  expectDuration("retry.maxDelayMs", retry.maxDelayMs);
  if (retry.baseDelayMs > retry.maxDelayMs)
    fail("retry.baseDelayMs", `at most retry.maxDelayMs (${retry.maxDelayMs})`, retry.baseDelayMs);
  expectFunction("retry.random", retry.random);
  if (retry.budget === false) return retry;
  const b = {
    ...(retryDefaults.budget as object),
    ...optionsAt("retry.budget", retry.budget, RETRY_BUDGET_KEYS),
  } as {
    ratio: number;
    minRetries: number;
    windowMs: number;
  };
  expectNumber("retry.budget.ratio", b.ratio);
  expectInteger("retry.budget.minRetries", b.minRetries);
  expectInteger("retry.budget.windowMs", expectDuration("retry.budget.windowMs", b.windowMs, 10), 10);
  return { ...retry, budget: b };
}

/** Breaker options (`breaker`). */
export function resolveBreaker(input: unknown): BreakerOptions {
  const breaker = { ...breakerDefaults, ...optionsAt("breaker", input, BREAKER_KEYS) } as BreakerOptions;
  expectNumber("breaker.errorThresholdPercentage", breaker.errorThresholdPercentage, 0, 100);
  expectInteger(
    "breaker.resetTimeoutMs",
    expectDuration("breaker.resetTimeoutMs", breaker.resetTimeoutMs, 1),
    1,
  );
  expectInteger("breaker.volumeThreshold", breaker.volumeThreshold, 0);
  expectInteger(
    "breaker.rollingWindowMs",
    expectDuration("breaker.rollingWindowMs", breaker.rollingWindowMs, 10),
    10,
  );
  if (typeof breaker.waitForProbe !== "boolean")
    fail("breaker.waitForProbe", "a boolean", breaker.waitForProbe);
  return breaker;
}

/** Budget options (`budget`). */
export function resolveBudget(input: unknown): BudgetOptions {
  if (input === undefined) fail("budget", "an object with `monthlyUsd`", input);
  const b = optionsAt("budget", input, BUDGET_KEYS);
  return {
    monthlyUsd: expectNumber("budget.monthlyUsd", b.monthlyUsd),
    defaultEstimateUsd: expectNumber("budget.defaultEstimateUsd", b.defaultEstimateUsd ?? 0.001),
    estimateUsd:
      b.estimateUsd === undefined ? undefined : expectFunction("budget.estimateUsd", b.estimateUsd),
  };
}
