import { ActiveCalls } from "./active-calls.js";
import type { ResponseLike } from "./attempt-context.js";
import { BreakerRegistry, breakerStateValue } from "./breaker.js";
import { CreditBudget, CreditsExhausted } from "./budget.js";
import { type Attempt, Call, type CallInfo } from "./call.js";
import { classifyError } from "./classify.js";
import { ConcurrencyLimiter } from "./concurrency.js";
import { DeadlineQueue } from "./deadline-queue.js";
import { type Disposable, Emitter } from "./emitter.js";
import { GovernorClosedError } from "./errors.js";
import type { GovernorEvents } from "./events.js";
import type { GovernorCore } from "./governor-core.js";
import { type GovernorOptions, resolveOptions } from "./options.js";
import { isPromise, QuotaGate } from "./quota-gate.js";
import type { WindowGroup, WindowSnapshot } from "./quota-store.js";
import { RetryBudget } from "./retry.js";
import { readServerFeedback, type ServerFeedback } from "./server-feedback.js";
import { type GovernorStats, StatsRecorder } from "./stats.js";
import { type CallTelemetry, GovernorTelemetry } from "./telemetry.js";

// A simulator that compresses time speaks in its own seconds: bring them to the wall clock.
function scaleFeedback(feedback: ServerFeedback, scale: number): ServerFeedback {
  if (scale === 1) return feedback;
  const ms = (value: number | undefined) => (value === undefined ? undefined : value / scale);
  return {
    status: feedback.status,
    retryAfterMs: ms(feedback.retryAfterMs),
    limits: feedback.limits.map((l) => ({ ...l, resetMs: ms(l.resetMs), windowMs: ms(l.windowMs) })),
  };
}

/** The store's view of quotas and credits, for dashboards and CLIs. */
export interface GovernorSnapshot {
  readonly windows: Readonly<Record<string, readonly WindowSnapshot[]>>;
  readonly credits:
    | {
        readonly spentUsd: number;
        readonly reservedUsd: number;
        readonly remainingUsd: number;
        readonly limitUsd: number;
      }
    | undefined;
}

/** Guards one quota scope (one HF token or organization): see {@link createGovernor}. */
export interface Governor {
  readonly name: string;
  /**
   * How many times faster than the wall clock the upstream's clock runs (`headerTimeScale`):
   * 1 against Hugging Face, the simulator's `timeScale` against a time-compressing simulator.
   */
  readonly headerTimeScale: number;
  /** True once {@link Governor.close} was called. */
  readonly closed: boolean;
  /**
   * Runs `fn` under every policy: budget, retries, breaker, quota windows, concurrency and
   * timeouts. `fn` is called once per attempt with `{ attempt, signal, observe, … }`. The
   * promise settles exactly once.
   */
  run<T>(fn: Attempt<T>, info?: CallInfo): Promise<T>;
  /** Feeds a response's `RateLimit`, `RateLimit-Policy` and `Retry-After` headers to the windows. */
  observe(response: ResponseLike, info?: { readonly requestClass?: string }): void;
  /** Counters, latency percentiles and current state, synchronously. */
  stats(): GovernorStats;
  /** The store's view of every window and of the credits. */
  snapshot(): Promise<GovernorSnapshot>;
  /**
   * The telemetry hooks for adapters: HTTP attempt spans, time to first chunk, and whether
   * the user opted in to recording content (docs/telemetry.md).
   */
  readonly telemetry: CallTelemetry;
  /** Listens to an event; returns a disposable that removes the listener. */
  on<K extends keyof GovernorEvents>(event: K, listener: GovernorEvents[K]): Disposable;
  /**
   * Rejects waiting and running calls with {@link GovernorClosedError}, stops every timer,
   * and closes the store if the governor created it. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Creates a governor: the policies of DESIGN.md composed outer to inner (budget → retry →
 * breaker → quota windows → concurrency → attempt timeout). Options are validated here:
 * a bad one throws a `TypeError` naming it.
 *
 * @example
 * const governor = createGovernor({ name: "research-swarm", ...presets.huggingface({ tier: "pro" }) });
 * const answer = await governor.run(({ signal }) => client.chatCompletion({ model, messages }, { signal }), {
 *   operation: "chat",
 *   model,
 * });
 */
export function createGovernor(options: GovernorOptions = {}): Governor {
  const o = resolveOptions(options);
  const { clock, store } = o;
  const events = new Emitter<GovernorEvents>();
  const telemetry = new GovernorTelemetry({
    governor: o.name,
    clock,
    tracerProvider: o.tracerProvider,
    meterProvider: o.meterProvider,
    options: options.telemetry,
  });
  const groups = new Map<string, WindowGroup>();
  const gates = new Map<string, QuotaGate>();
  for (const [requestClass, specs] of o.quotas) {
    if (specs.length === 0) continue;
    const group = store.windows(o.scope, requestClass, specs);
    groups.set(requestClass, group);
    gates.set(requestClass, new QuotaGate(requestClass, group, clock));
  }
  const concurrency = o.concurrency
    ? new ConcurrencyLimiter(o.concurrency, store.slots(o.scope), clock)
    : undefined;
  const isFailure = (error: unknown) =>
    (o.classifyError?.(error) ?? classifyError(error, false)).breakerFailure;
  const breakers = o.breaker
    ? new BreakerRegistry(
        o.breaker,
        isFailure,
        (key, state) => {
          if (state === "closed") concurrency?.restartRamp();
          events.emit("breaker", { key, state });
        },
        () => clock.now(),
        store.breaker ? (key) => store.breaker?.(o.scope, key) : undefined,
      )
    : undefined;
  const creditsExhausted = new CreditsExhausted(clock);
  const budget = o.budget
    ? new CreditBudget(o.budget, store.ledger(o.scope), clock, creditsExhausted, o.defaultRequestClass)
    : undefined;
  const retryBudget = o.retry.budget ? new RetryBudget(o.retry.budget, clock) : undefined;
  const stats = new StatsRecorder();
  const deadlines = new DeadlineQueue(clock);
  const active = new ActiveCalls();
  const ownsStore = options.store === undefined;
  let closed = false;

  const applyFeedback = (response: ResponseLike, requestClass: string): number | undefined => {
    const now = clock.now();
    const feedback = scaleFeedback(readServerFeedback(response, now), o.headerTimeScale);
    const exhausted = feedback.status === 429;
    const touched = new Set<string>();
    let hint: number | undefined;
    for (const limit of feedback.limits) {
      const cls = groups.has(limit.policy) ? limit.policy : requestClass;
      const group = groups.get(cls);
      if (!group) continue;
      touched.add(cls);
      const correction = {
        remaining: limit.remaining,
        resetMs: limit.resetMs,
        quota: limit.quota,
        windowMs: limit.windowMs,
        exhausted: exhausted && limit.remaining === 0,
      };
      const done = group.correct(correction, now);
      if (isPromise(done)) Promise.resolve(done).catch(() => {});
      if (correction.exhausted && limit.resetMs !== undefined) hint = Math.max(hint ?? 0, limit.resetMs);
      events.emit("quotaCorrected", { requestClass: cls, ...correction });
    }
    // A 429 with only Retry-After empties the window for that long; with no header at all
    // (some routed providers) the windows are left alone and backoff does the work.
    if (exhausted && feedback.limits.length === 0 && feedback.retryAfterMs !== undefined) {
      const done = groups
        .get(requestClass)
        ?.correct({ exhausted: true, resetMs: feedback.retryAfterMs }, now);
      if (isPromise(done)) Promise.resolve(done).catch(() => {});
      touched.add(requestClass);
    }
    for (const cls of touched) gates.get(cls)?.kick();
    if (feedback.retryAfterMs !== undefined) hint = feedback.retryAfterMs;
    return exhausted || feedback.status === 503 ? hint : undefined;
  };

  const core: GovernorCore = {
    options: o,
    clock,
    gates,
    concurrency,
    breakers,
    budget,
    creditsExhausted,
    retryBudget,
    deadlines,
    telemetry,
    stats,
    events,
    active,
    applyFeedback,
  };

  const unobserve = telemetry.observe({
    concurrency: () => ({
      limit: concurrency?.limit() ?? 0,
      inFlight: concurrency?.inFlight ?? 0,
      queued: concurrency?.queued ?? 0,
    }),
    breakers: () =>
      Object.fromEntries(Object.entries(breakers?.states() ?? {}).map(([k, s]) => [k, breakerStateValue[s]])),
    quota: async () => {
      const out: { requestClass: string; window: string; remaining: number; limit: number }[] = [];
      for (const [requestClass, group] of groups) {
        // A remote store answers asynchronously (one round trip per class and collection).
        const answer = group.snapshot(clock.now());
        const snapshot = isPromise(answer) ? await answer : answer;
        for (const w of snapshot)
          out.push({ requestClass, window: w.name, remaining: w.remaining, limit: w.limit });
      }
      return out;
    },
    credits: async () => (budget ? budget.read() : undefined),
  });

  return {
    name: o.name,
    headerTimeScale: o.headerTimeScale,
    telemetry,
    get closed() {
      return closed;
    },
    run<T>(fn: Attempt<T>, info: CallInfo = {}): Promise<T> {
      if (closed) return Promise.reject(new GovernorClosedError(o.name));
      if (typeof fn !== "function")
        return Promise.reject(new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`));
      return new Call(core, fn, info).promise;
    },
    observe(response, info) {
      applyFeedback(response, info?.requestClass ?? o.defaultRequestClass);
    },
    stats(): GovernorStats {
      const quota: Record<string, { remaining: number; waiting: number }> = {};
      for (const [cls, gate] of gates) quota[cls] = { remaining: gate.lastRemaining, waiting: gate.waiting };
      return {
        name: o.name,
        calls: { started: stats.started, settled: stats.settled, inFlight: active.size },
        outcomes: { ...stats.outcomes },
        attempts: stats.attempts,
        retries: { ...stats.retries },
        throttles: { ...stats.throttles },
        latencyMs: stats.latency.snapshot(),
        concurrency: concurrency
          ? { limit: concurrency.limit(), inFlight: concurrency.inFlight, queued: concurrency.queued }
          : undefined,
        quota,
        breakers: breakers?.states() ?? {},
        creditsSpentUsd: stats.creditsSpentUsd,
      };
    },
    async snapshot(): Promise<GovernorSnapshot> {
      const windows: Record<string, readonly WindowSnapshot[]> = {};
      for (const [cls, group] of groups) windows[cls] = await group.snapshot(clock.now());
      return { windows, credits: budget ? await budget.read() : undefined };
    },
    on: (event, listener) => events.on(event, listener),
    async close() {
      if (closed) return;
      closed = true;
      const error = new GovernorClosedError(o.name);
      for (const gate of gates.values()) gate.drain(error);
      concurrency?.drain(error);
      for (const call of active.snapshot()) call.cancel(error);
      breakers?.shutdown();
      deadlines.clear();
      unobserve();
      events.clear();
      if (ownsStore) await store.close();
    },
  };
}
