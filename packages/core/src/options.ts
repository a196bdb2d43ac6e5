import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import type { BreakerOptions } from "./breaker.js";
import type { BudgetOptions } from "./budget.js";
import type { ErrorVerdict } from "./classify.js";
import { type Clock, systemClock } from "./clock.js";
import type { ConcurrencyOptions } from "./concurrency.js";
import { followWindows } from "./follow-windows.js";
import { memoryStore } from "./memory-store.js";
import type { Policy, PolicyKit } from "./policy.js";
import {
  resolveBreaker,
  resolveBudget,
  resolveConcurrency,
  resolveRetry,
  resolveUpstream,
  resolveWindows,
} from "./policy-options.js";
import { QUEUE_KINDS, type QueueKind } from "./queues/wait-queue.js";
import type { QuotaStore, WindowSpec } from "./quota-store.js";
import type { RetryOptions } from "./retry.js";
import type { TelemetryOptions } from "./telemetry-options.js";
import type { UpstreamOptions } from "./upstream-options.js";
import {
  expectDuration,
  expectFunction,
  expectKnownKeys,
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
  /**
   * Token-bucket smoothing: at most `burst` permits at once, then the window's average rate;
   * with `widen` (default true) the burst grows while answers come and narrows back at a
   * 429 or 503 (`WindowSpec.smoothing`).
   */
  readonly smoothing?: { readonly burst: number; readonly widen?: boolean };
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
  /**
   * Limits per upstream (the provider behind the router): learned from its own headers,
   * from 429s that state nothing (an admission rate, AIMD) and from "wait" hints and cold
   * starts; `false` for none. @default {} (on)
   */
  readonly upstream?: Partial<UpstreamOptions> | false;
  /** Monthly credit budget (USD); absent for none. */
  readonly budget?: Partial<BudgetOptions> & { readonly monthlyUsd: number };
  /**
   * After a 402 (credits exhausted), how long until one attempt is let through to see whether
   * credits were bought (pay-as-you-go); `Infinity` waits for the next month. @default 300_000
   */
  readonly creditsReprobeMs?: number;
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
  /**
   * The order in which callers waiting for a quota permit or a concurrency slot are served:
   * `"fifo"`, `"priority"` (`CallInfo.priority`, higher first, FIFO within a priority) or
   * `"fair-share"` (round-robin across `CallInfo.agent`). @default "fifo"
   */
  readonly queue?: QueueKind;
  /**
   * Inserts, removes, reorders or replaces policies: called once with the default pipeline
   * (budget → retry → breaker → quota → concurrency → upstream → attempt-timeout, minus those turned
   * off) and a kit to build policies with; returns the pipeline to use, outer to inner.
   * @default (defaults) => defaults
   */
  readonly policies?: (defaults: readonly Policy[], kit: PolicyKit) => readonly Policy[];
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
  readonly upstream: UpstreamOptions | false;
  readonly budget: BudgetOptions | undefined;
  readonly creditsReprobeMs: number;
  readonly attemptTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly headerTimeScale: number;
  readonly classifyError: ((error: unknown) => ErrorVerdict | undefined) | undefined;
  readonly tracerProvider: TracerProvider | undefined;
  readonly meterProvider: MeterProvider | undefined;
  readonly queue: QueueKind;
  readonly policies: GovernorOptions["policies"];
}

/** Every key of {@link GovernorOptions}: any other is refused with the closest of these. */
export const GOVERNOR_OPTION_KEYS: ReadonlySet<string> = new Set<keyof GovernorOptions>([
  "name",
  "scope",
  "clock",
  "store",
  "quotas",
  "defaultRequestClass",
  "concurrency",
  "concurrencyClasses",
  "retry",
  "breaker",
  "upstream",
  "budget",
  "attemptTimeoutMs",
  "totalTimeoutMs",
  "creditsReprobeMs",
  "headerTimeScale",
  "classifyError",
  "tracerProvider",
  "meterProvider",
  "telemetry",
  "queue",
  "policies",
]);

/** Spreads the defaults once and validates once: a bad value throws a TypeError naming it. */
export function resolveOptions(input: GovernorOptions = {}): ResolvedOptions {
  const o = expectObject("options", input) as GovernorOptions;
  expectKnownKeys("`createGovernor` options", o, GOVERNOR_OPTION_KEYS);
  const name = o.name === undefined ? "default" : expectString("name", o.name);
  const quotas = new Map<string, WindowSpec[]>();
  for (const [requestClass, list] of Object.entries(expectObject("quotas", o.quotas)))
    quotas.set(requestClass, resolveWindows(`quotas.${requestClass}`, list));

  const concurrency = o.concurrency === false ? false : resolveConcurrency(o.concurrency);
  const follow = followWindows(quotas);
  const retry = resolveRetry(follow.retry(o.retry));
  const breaker = o.breaker === false ? false : resolveBreaker(follow.breaker(o.breaker));
  const upstream = o.upstream === false ? false : resolveUpstream(follow.upstream(o.upstream, breaker));
  const budget = o.budget === undefined ? undefined : resolveBudget(o.budget);
  const queue = expectOneOf("queue", o.queue ?? "fifo", QUEUE_KINDS);
  const policies =
    o.policies === undefined
      ? undefined
      : expectFunction<NonNullable<GovernorOptions["policies"]>>("policies", o.policies);

  const clock = o.clock ?? systemClock;
  if (
    typeof clock?.now !== "function" ||
    typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  )
    fail("clock", "a Clock ({ now, setTimeout, clearTimeout })", clock);
  const store = o.store === undefined ? memoryStore() : o.store;
  if (typeof store?.windows !== "function" || typeof store.slots !== "function")
    fail("store", "a QuotaStore", store);
  const concurrencyClasses = o.concurrencyClasses ?? ["inference"];
  if (
    !Array.isArray(concurrencyClasses) ||
    !concurrencyClasses.every((c) => typeof c === "string" && c !== "")
  )
    fail("concurrencyClasses", "an array of request classes (non-empty strings)", concurrencyClasses);
  for (const provider of ["tracerProvider", "meterProvider"] as const) {
    const value = o[provider] as { getTracer?: unknown; getMeter?: unknown } | undefined;
    const method = provider === "tracerProvider" ? "getTracer" : "getMeter";
    if (value !== undefined && typeof value?.[method] !== "function")
      fail(
        provider,
        `an OpenTelemetry ${provider === "tracerProvider" ? "TracerProvider" : "MeterProvider"}`,
        value,
      );
  }

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
    upstream,
    budget,
    creditsReprobeMs: expectDuration("creditsReprobeMs", o.creditsReprobeMs ?? 300_000, 1, true),
    attemptTimeoutMs: expectDuration("attemptTimeoutMs", o.attemptTimeoutMs ?? 120_000, 1, true),
    totalTimeoutMs: expectDuration("totalTimeoutMs", o.totalTimeoutMs ?? 600_000, 1, true),
    headerTimeScale:
      o.headerTimeScale === undefined ? 1 : expectNumber("headerTimeScale", o.headerTimeScale, 1e-6),
    classifyError:
      o.classifyError === undefined ? undefined : expectFunction("classifyError", o.classifyError),
    tracerProvider: o.tracerProvider,
    meterProvider: o.meterProvider,
    queue,
    policies,
  };
}
