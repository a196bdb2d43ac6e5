import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import type { BreakerOptions } from "./breaker.js";
import type { BudgetOptions } from "./budget.js";
import type { ErrorVerdict } from "./classify.js";
import { type Clock, systemClock } from "./clock.js";
import type { ConcurrencyOptions } from "./concurrency.js";
import { memoryStore } from "./memory-store.js";
import type { QuotaStore, WindowSpec } from "./quota-store.js";
import type { RetryOptions } from "./retry.js";
import type { TelemetryOptions } from "./telemetry-options.js";
import {
  expectFunction,
  expectInteger,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  fail,
} from "./validate.js";

/** One quota window as the user writes it. */
export interface WindowOptions {
  /** Unique within its request class. @default `"${windowMs / 1000}s"` */
  readonly name?: string;
  readonly limit: number;
  readonly windowMs: number;
  /** @default "fixed" */
  readonly kind?: "fixed" | "sliding";
  /** Token-bucket smoothing: at most `burst` permits at once, then the window's average rate. */
  readonly smoothing?: { readonly burst: number };
}

/** Options of {@link createGovernor}. Every field is optional; `presets.huggingface()` fills the HF ones. */
export interface GovernorOptions {
  /** Names the governor in telemetry and errors. @default "default" */
  readonly name?: string;
  /** The quota scope shared through the store (one HF token or org). @default name */
  readonly scope?: string;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Where quota state lives. @default memoryStore() */
  readonly store?: QuotaStore;
  /** Quota windows per request class (`api`, `resolvers`, `pages`, `inference`, or your own). @default {} */
  readonly quotas?: Readonly<Record<string, readonly WindowOptions[]>>;
  /** The request class of calls that do not say. @default "inference" */
  readonly defaultRequestClass?: string;
  /** Concurrency limit with ramp; `false` for none. Applies to the classes in `concurrencyClasses`. */
  readonly concurrency?: Partial<ConcurrencyOptions> | false;
  /** Request classes that take a concurrency slot. @default ["inference"] */
  readonly concurrencyClasses?: readonly string[];
  /** Retry policy; `false` for a single attempt. */
  readonly retry?: Partial<RetryOptions> | false;
  /** Circuit breakers (opossum), one per breaker key; `false` for none. */
  readonly breaker?: Partial<BreakerOptions> | false;
  /** Monthly credit budget (USD); absent for none. */
  readonly budget?: Partial<BudgetOptions> & { readonly monthlyUsd: number };
  /** Per-attempt timeout; its signal aborts the attempt. @default 120_000 */
  readonly attemptTimeoutMs?: number;
  /** Timeout of a whole call, waits and retries included. @default 600_000 */
  readonly totalTimeoutMs?: number;
  /**
   * How many times faster than the wall clock the server's clock runs: durations in
   * `RateLimit`, `RateLimit-Policy` and `Retry-After` are divided by it. Only for simulators
   * that compress time (`presets.huggingface({ timeScale })` sets it); 1 against the real
   * service. @default 1
   */
  readonly headerTimeScale?: number;
  /** Overrides the classification of failed attempts; return undefined to use the default. */
  readonly classifyError?: (error: unknown) => ErrorVerdict | undefined;
  /** @default the global tracer provider of `@opentelemetry/api` */
  readonly tracerProvider?: TracerProvider;
  /** @default the global meter provider of `@opentelemetry/api` */
  readonly meterProvider?: MeterProvider;
  /** Naming generation, content capture, provider name (docs/telemetry.md). */
  readonly telemetry?: TelemetryOptions;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly name: string;
  readonly scope: string;
  readonly clock: Clock;
  readonly store: QuotaStore;
  readonly quotas: ReadonlyMap<string, readonly WindowSpec[]>;
  readonly defaultRequestClass: string;
  readonly concurrency: ConcurrencyOptions | false;
  readonly concurrencyClasses: ReadonlySet<string>;
  readonly retry: RetryOptions;
  readonly breaker: BreakerOptions | false;
  readonly budget: BudgetOptions | undefined;
  readonly attemptTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly headerTimeScale: number;
  readonly classifyError: ((error: unknown) => ErrorVerdict | undefined) | undefined;
  readonly tracerProvider: TracerProvider | undefined;
  readonly meterProvider: MeterProvider | undefined;
}

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

function windows(requestClass: string, list: unknown): WindowSpec[] {
  const path = `quotas.${requestClass}`;
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

/** Spreads the defaults once and validates once: a bad value throws a TypeError naming it. */
export function resolveOptions(input: GovernorOptions = {}): ResolvedOptions {
  const o = expectObject("options", input) as GovernorOptions;
  const name = o.name === undefined ? "default" : expectString("name", o.name);
  const quotas = new Map<string, WindowSpec[]>();
  for (const [requestClass, list] of Object.entries(expectObject("quotas", o.quotas)))
    quotas.set(requestClass, windows(requestClass, list));

  let concurrency: ConcurrencyOptions | false = false;
  if (o.concurrency !== false) {
    const c = { ...concurrencyDefaults, ...expectObject("concurrency", o.concurrency) } as ConcurrencyOptions;
    expectInteger("concurrency.max", c.max, 1);
    expectInteger("concurrency.initial", c.initial, 1);
    if (c.initial > c.max) fail("concurrency.initial", `at most concurrency.max (${c.max})`, c.initial);
    expectNumber("concurrency.rampMs", c.rampMs);
    expectInteger("concurrency.maxQueue", c.maxQueue, 0, true);
    expectNumber("concurrency.pollMs", c.pollMs, 1);
    if (c.adaptive !== false) {
      const a = expectObject("concurrency.adaptive", c.adaptive === (true as unknown) ? {} : c.adaptive);
      const adaptive = { decrease: 0.7, min: 1, ...a };
      expectNumber("concurrency.adaptive.decrease", adaptive.decrease, 0.01, 0.99);
      expectInteger("concurrency.adaptive.min", adaptive.min, 1);
      concurrency = { ...c, adaptive };
    } else concurrency = c;
  }

  const r = o.retry === false ? { maxAttempts: 1 } : expectObject("retry", o.retry);
  const retry = { ...retryDefaults, ...r } as RetryOptions;
  expectInteger("retry.maxAttempts", retry.maxAttempts, 1);
  expectNumber("retry.baseDelayMs", retry.baseDelayMs);
  expectNumber("retry.maxDelayMs", retry.maxDelayMs);
  expectFunction("retry.random", retry.random);
  if (retry.budget !== false) {
    const b = { ...(retryDefaults.budget as object), ...expectObject("retry.budget", retry.budget) } as {
      ratio: number;
      minRetries: number;
      windowMs: number;
    };
    expectNumber("retry.budget.ratio", b.ratio);
    expectInteger("retry.budget.minRetries", b.minRetries);
    expectInteger("retry.budget.windowMs", b.windowMs, 10);
    Object.assign(retry, { budget: b });
  }

  let breaker: BreakerOptions | false = false;
  if (o.breaker !== false) {
    breaker = { ...breakerDefaults, ...expectObject("breaker", o.breaker) } as BreakerOptions;
    expectNumber("breaker.errorThresholdPercentage", breaker.errorThresholdPercentage, 0, 100);
    expectInteger("breaker.resetTimeoutMs", breaker.resetTimeoutMs, 1);
    expectInteger("breaker.volumeThreshold", breaker.volumeThreshold, 0);
    expectInteger("breaker.rollingWindowMs", breaker.rollingWindowMs, 10);
  }

  let budget: BudgetOptions | undefined;
  if (o.budget !== undefined) {
    const b = expectObject("budget", o.budget);
    budget = {
      monthlyUsd: expectNumber("budget.monthlyUsd", b.monthlyUsd),
      defaultEstimateUsd: expectNumber("budget.defaultEstimateUsd", b.defaultEstimateUsd ?? 0.001),
      estimateUsd:
        b.estimateUsd === undefined ? undefined : expectFunction("budget.estimateUsd", b.estimateUsd),
    };
  }

  const clock = o.clock ?? systemClock;
  if (typeof clock?.now !== "function" || typeof clock.setTimeout !== "function")
    fail("clock", "a Clock ({ now, setTimeout, clearTimeout })", clock);
  const store = o.store === undefined ? memoryStore() : o.store;
  if (typeof store?.windows !== "function" || typeof store.slots !== "function")
    fail("store", "a QuotaStore", store);
  const concurrencyClasses = o.concurrencyClasses ?? ["inference"];
  if (!Array.isArray(concurrencyClasses))
    fail("concurrencyClasses", "an array of request classes", concurrencyClasses);

  return {
    name,
    scope: o.scope === undefined ? name : expectString("scope", o.scope),
    clock,
    store,
    quotas,
    defaultRequestClass:
      o.defaultRequestClass === undefined
        ? "inference"
        : expectString("defaultRequestClass", o.defaultRequestClass),
    concurrency,
    concurrencyClasses: new Set(concurrencyClasses),
    retry,
    breaker,
    budget,
    attemptTimeoutMs: expectInteger("attemptTimeoutMs", o.attemptTimeoutMs ?? 120_000, 1, true),
    totalTimeoutMs: expectInteger("totalTimeoutMs", o.totalTimeoutMs ?? 600_000, 1, true),
    headerTimeScale:
      o.headerTimeScale === undefined ? 1 : expectNumber("headerTimeScale", o.headerTimeScale, 1e-6),
    classifyError:
      o.classifyError === undefined ? undefined : expectFunction("classifyError", o.classifyError),
    tracerProvider: o.tracerProvider,
    meterProvider: o.meterProvider,
  };
}
