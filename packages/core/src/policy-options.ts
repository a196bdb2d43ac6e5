import type { BreakerOptions } from "./breaker.js";
import type { BudgetOptions } from "./budget.js";
import type { ConcurrencyOptions } from "./concurrency.js";
import type { WindowSpec } from "./quota-store.js";
import type { RetryOptions } from "./retry.js";
import {
  expectFunction,
  expectInteger,
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
  adaptive: false,
  pollMs: 50,
};
const retryDefaults: RetryOptions = {
  maxAttempts: 6,
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
};

/** The windows of one request class; `path` names them in errors (`quotas.api`). */
export function resolveWindows(path: string, list: unknown): WindowSpec[] {
  if (!Array.isArray(list)) fail(path, "an array of windows", list);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const w = expectObject(`${path}[${i}]`, raw);
    const windowMs = expectInteger(`${path}[${i}].windowMs`, w.windowMs, 1);
    const limit = expectInteger(`${path}[${i}].limit`, w.limit, 1);
    const name = w.name === undefined ? `${windowMs / 1000}s` : expectString(`${path}[${i}].name`, w.name);
    if (names.has(name)) fail(`${path}[${i}].name`, "unique within its request class", name);
    names.add(name);
    const kind = expectOneOf(`${path}[${i}].kind`, w.kind ?? "fixed", ["fixed", "sliding"] as const);
    let smoothing: { burst: number } | undefined;
    if (w.smoothing !== undefined) {
      const s = expectObject(`${path}[${i}].smoothing`, w.smoothing);
      smoothing = { burst: expectInteger(`${path}[${i}].smoothing.burst`, s.burst, 1) };
    }
    return { name, limit, windowMs, kind, smoothing };
  });
}

/** Concurrency options (`concurrency`). */
export function resolveConcurrency(input: unknown): ConcurrencyOptions {
  const c = { ...concurrencyDefaults, ...expectObject("concurrency", input) } as ConcurrencyOptions;
  expectInteger("concurrency.max", c.max, 1);
  expectInteger("concurrency.initial", c.initial, 1);
  if (c.initial > c.max) fail("concurrency.initial", `at most concurrency.max (${c.max})`, c.initial);
  expectNumber("concurrency.rampMs", c.rampMs);
  expectInteger("concurrency.maxQueue", c.maxQueue, 0, true);
  expectNumber("concurrency.pollMs", c.pollMs, 1);
  if (c.adaptive === false) return c;
  const a = expectObject("concurrency.adaptive", c.adaptive === (true as unknown) ? {} : c.adaptive);
  const adaptive = { decrease: 0.7, min: 1, ...a };
  expectNumber("concurrency.adaptive.decrease", adaptive.decrease, 0.01, 0.99);
  expectInteger("concurrency.adaptive.min", adaptive.min, 1);
  return { ...c, adaptive };
}

/** Retry options (`retry`; `false` for a single attempt). */
export function resolveRetry(input: unknown): RetryOptions {
  const r = input === false ? { maxAttempts: 1 } : expectObject("retry", input);
  const retry = { ...retryDefaults, ...r } as RetryOptions;
  expectInteger("retry.maxAttempts", retry.maxAttempts, 1);
  expectNumber("retry.baseDelayMs", retry.baseDelayMs);
  expectNumber("retry.maxDelayMs", retry.maxDelayMs);
  expectFunction("retry.random", retry.random);
  if (retry.budget === false) return retry;
  const b = { ...(retryDefaults.budget as object), ...expectObject("retry.budget", retry.budget) } as {
    ratio: number;
    minRetries: number;
    windowMs: number;
  };
  expectNumber("retry.budget.ratio", b.ratio);
  expectInteger("retry.budget.minRetries", b.minRetries);
  expectInteger("retry.budget.windowMs", b.windowMs, 10);
  return { ...retry, budget: b };
}

/** Breaker options (`breaker`). */
export function resolveBreaker(input: unknown): BreakerOptions {
  const breaker = { ...breakerDefaults, ...expectObject("breaker", input) } as BreakerOptions;
  expectNumber("breaker.errorThresholdPercentage", breaker.errorThresholdPercentage, 0, 100);
  expectInteger("breaker.resetTimeoutMs", breaker.resetTimeoutMs, 1);
  expectInteger("breaker.volumeThreshold", breaker.volumeThreshold, 0);
  expectInteger("breaker.rollingWindowMs", breaker.rollingWindowMs, 10);
  return breaker;
}

/** Budget options (`budget`). */
export function resolveBudget(input: unknown): BudgetOptions {
  const b = expectObject("budget", input);
  return {
    monthlyUsd: expectNumber("budget.monthlyUsd", b.monthlyUsd),
    defaultEstimateUsd: expectNumber("budget.defaultEstimateUsd", b.defaultEstimateUsd ?? 0.001),
    estimateUsd:
      b.estimateUsd === undefined ? undefined : expectFunction("budget.estimateUsd", b.estimateUsd),
  };
}
