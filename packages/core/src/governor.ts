import { ActiveCalls } from "./active-calls.js";
import type { Attempt, ResponseLike } from "./attempt-context.js";
import { Call } from "./call.js";
import type { CallHost } from "./call-host.js";
import { type CallInfo, validateCallInfo } from "./call-info.js";
import { boundedClock } from "./clock.js";
import { compose, invokeCall } from "./compose.js";
import { CreditsExhausted } from "./credits-exhausted.js";
import { DeadlineQueue } from "./deadline-queue.js";
import { type Disposable, Emitter } from "./emitter.js";
import { GovernorClosedError } from "./errors.js";
import type { GovernorEvents } from "./events.js";
import { feedbackDispatcher } from "./feedback.js";
import { breakerGauge, type GovernorSnapshot, governorSnapshot, governorStats } from "./governor-state.js";
import { KeepAlive } from "./keep-alive.js";
import { type GovernorOptions, resolveOptions } from "./options.js";
import { defaultPolicies } from "./policies/defaults.js";
import type { Policy, PolicyKit } from "./policy.js";
import { expectPolicies } from "./policy-list.js";
import { type GovernorStats, StatsRecorder } from "./stats.js";
import { type CallTelemetry, GovernorTelemetry } from "./telemetry.js";
import { fail as invalidOption } from "./validate.js";

const NO_INFO: CallInfo = Object.freeze({});

export type { GovernorSnapshot } from "./governor-state.js";

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
  /** The pipeline every call goes through, outer to inner (after the `policies` option). */
  readonly policies: readonly Policy[];
  /**
   * Runs `fn` under every policy: budget, retries, breaker, quota windows, concurrency and
   * timeouts. `fn` is called once per attempt with `{ attempt, signal, observe, … }`. The
   * promise settles exactly once. Never throws: a closed governor, an `fn` that is not a
   * function or bad call info (an unknown key, a bad signal, a negative cost, …) return a
   * rejected promise before the call exists.
   */
  run<T>(fn: Attempt<T>, info?: CallInfo): Promise<T>;
  /**
   * Feeds a response's `RateLimit`, `RateLimit-Policy`, `Retry-After` and provider limit
   * headers to the windows; `info` names the request class and the upstream (provider) it
   * came from.
   */
  observe(
    response: ResponseLike,
    info?: Pick<CallInfo, "requestClass" | "provider" | "breakerKey" | "model">,
  ): void;
  /** Counters, latency percentiles and current state, synchronously. */
  stats(): GovernorStats;
  /** The store's view of every window and of the credits. */
  snapshot(): Promise<GovernorSnapshot>;
  /**
   * The telemetry hooks for adapters: HTTP attempt spans, time to first chunk, and whether
   * the user opted in to recording content (docs/telemetry.md).
   */
  readonly telemetry: CallTelemetry;
  /**
   * Forgets every 402 this governor saw, so that calls are sent again at once (after buying
   * credits); otherwise one probe goes every `creditsReprobeMs`.
   */
  resetCredits(): void;
  /** Listens to an event; returns a disposable that removes the listener. */
  on<K extends keyof GovernorEvents>(event: K, listener: GovernorEvents[K]): Disposable;
  /**
   * Rejects waiting and running calls with {@link GovernorClosedError}, stops every timer,
   * and closes the store if the governor created it. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Creates a governor: a pipeline of policies composed outer to inner (by default budget →
 * retry → breaker → quota windows → concurrency → attempt timeout; the `policies` option
 * changes it). Options are validated here: a bad one throws a `TypeError` naming it.
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
  const { store } = o;
  // Long waits are armed in chunks, whatever the injected clock does with a huge delay.
  const clock = boundedClock(o.clock);
  const events = new Emitter<GovernorEvents>();
  const telemetry = new GovernorTelemetry({
    governor: o.name,
    clock,
    tracerProvider: o.tracerProvider,
    meterProvider: o.meterProvider,
    options: options.telemetry,
  });
  const creditsExhausted = new CreditsExhausted(clock, o.creditsReprobeMs, events);
  const kit: PolicyKit = {
    name: o.name,
    clock,
    store,
    scope: o.scope,
    queue: o.queue,
    defaultRequestClass: o.defaultRequestClass,
    classifyError: o.classifyError,
    events,
    creditsExhausted,
    headerTimeScale: o.headerTimeScale,
  };
  const defaults = defaultPolicies(o, kit);
  const policies = Object.freeze(
    o.policies ? expectPolicies(o.policies(Object.freeze([...defaults]), kit)) : defaults,
  );
  // Default policies the user left out still own timers and listeners: close them too.
  const owned = [...new Set([...policies, ...defaults])];
  const stats = new StatsRecorder();
  // While a call is pending the process stays alive, even if only unref'd timers wait.
  const keepAlive = new KeepAlive(clock);
  const active = new ActiveCalls(keepAlive);
  const feedback = feedbackDispatcher(policies, clock, o.headerTimeScale);
  const host: CallHost = {
    defaultRequestClass: o.defaultRequestClass,
    totalTimeoutMs: o.totalTimeoutMs,
    clock,
    store,
    deadlines: new DeadlineQueue(clock),
    telemetry,
    stats,
    events,
    active,
    creditsExhausted,
    classifyError: o.classifyError,
    headerTimeScale: o.headerTimeScale,
    pipeline: compose(policies, invokeCall),
    describers: policies.filter((p) => p.describe !== undefined),
    feedback,
  };
  const ownsStore = options.store === undefined;
  let closed = false;

  const unobserve = telemetry.observe({
    concurrency: () => {
      const s = governorStats(o.name, stats, active, policies).concurrency;
      return { limit: s?.limit ?? 0, inFlight: s?.inFlight ?? 0, queued: s?.queued ?? 0 };
    },
    breakers: () => breakerGauge(policies),
    quota: async () => {
      // A remote store answers asynchronously (one round trip per class and collection).
      const { windows } = await governorSnapshot(policies, clock.now());
      return Object.entries(windows).flatMap(([requestClass, list]) =>
        list.map((w) => ({ requestClass, window: w.name, remaining: w.remaining, limit: w.limit })),
      );
    },
    credits: async () => (await governorSnapshot(policies, clock.now())).credits,
  });

  return {
    name: o.name,
    headerTimeScale: o.headerTimeScale,
    telemetry,
    policies,
    get closed() {
      return closed;
    },
    run<T>(fn: Attempt<T>, info: CallInfo = NO_INFO): Promise<T> {
      // Refused before the call exists: nothing is registered, so nothing can reject later.
      if (closed) return Promise.reject(new GovernorClosedError(o.name));
      try {
        if (typeof fn !== "function") invalidOption("fn", "a function", fn);
        if (info !== NO_INFO) validateCallInfo(info);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Call(host, fn, info).promise;
    },
    observe(response, info) {
      feedback(response, info?.requestClass ?? o.defaultRequestClass, (info ?? {}) as CallInfo);
    },
    stats: () => governorStats(o.name, stats, active, policies),
    snapshot: () => governorSnapshot(policies, clock.now()),
    resetCredits: () => creditsExhausted.clear(),
    on: (event, listener) => events.on(event, listener),
    async close() {
      if (closed) return;
      closed = true;
      const error = new GovernorClosedError(o.name);
      // Everything stops in one synchronous stretch: no waiter can slip through meanwhile.
      const closing: unknown[] = [];
      for (const policy of owned) {
        try {
          closing.push(policy.close?.(error));
        } catch {
          // one policy failing to close must not keep the others open
        }
      }
      for (const call of active.snapshot()) call.cancel(error);
      host.deadlines.clear();
      keepAlive.close();
      unobserve();
      events.clear();
      await Promise.allSettled(closing);
      if (ownsStore) await store.close();
    },
  };
}
