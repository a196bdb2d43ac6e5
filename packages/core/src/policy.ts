import type { Attributes } from "@opentelemetry/api";
import type { BreakerState } from "./breaker.js";
import type { CreditsExhausted } from "./budget.js";
import type { CallInfo } from "./call-info.js";
import type { ErrorVerdict, FailureReason } from "./classify.js";
import type { Clock } from "./clock.js";
import type { Emitter } from "./emitter.js";
import type { GovernorEvents } from "./events.js";
import type { QueueKind } from "./queues/wait-queue.js";
import type { QuotaStore, WindowSnapshot } from "./quota-store.js";
import type { Outcome, ThrottleSource } from "./semconv.js";
import type { ServerFeedback } from "./server-feedback.js";

/** The rest of the pipeline, from a policy's point of view: call it to go on. */
export type Next<T> = (ctx: PolicyContext) => Promise<T>;

/**
 * How a policy tells the world what it did: the call's span, the governor's stats and
 * metrics, and its events, in one narrow interface. Policies never touch telemetry directly.
 */
export interface Reporter {
  /** Whether the call's span records (build span-only payloads only then). */
  readonly recording: boolean;
  /**
   * A wait for a local permit (`local_window`, `local_concurrency`, with how long it took)
   * or a refusal (`server_429`, `server_503`, `breaker_open`, waitMs 0).
   */
  throttled(source: ThrottleSource, waitMs: number, requestClass?: string): void;
  /**
   * How long the call then waited after a refusal already counted (`breaker_open`: the wait
   * for the breaker's probe): its `swarmgate.throttle.wait` and `swarmgate.wait` span, no
   * second throttle.
   */
  waited(source: ThrottleSource, waitMs: number): void;
  /** An attempt failed and another follows after `delayMs`. */
  retrying(attempt: number, reason: FailureReason, delayMs: number, error: unknown): void;
  /** A breaker moved while this call's attempt went through it. */
  breakerMoved(key: string, from: BreakerState, to: BreakerState): void;
}

/** Told when an attempt ends (its promise settled, it timed out or was cancelled). */
export interface AttemptEndListener<K> {
  /**
   * `failed` is false for a success; a stream holding its slot (`holdSlot()`) defers the
   * call until the stream ends, so that usage reported by then is known.
   */
  attemptEnded(token: K, failed: boolean, error: unknown, ctx: PolicyContext): void;
}

/** Told when the call ends, with what it cost (reported, or estimated for a success). */
export interface CallEndListener<K> {
  callEnded(token: K, outcome: Outcome, costUsd: number): void;
}

/** Token usage and cost reported by the call's attempts so far. */
export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number | undefined;
  readonly responseModel?: string | undefined;
}

/**
 * What a policy sees of one call. One object per call (retry advances `attempt`); a policy
 * that sends an attempt elsewhere passes `ctx.withInfo({ provider })` to `next`.
 */
export interface PolicyContext {
  /** The call as its caller described it (or as a policy outside this one changed it). */
  readonly info: CallInfo;
  /** `info.requestClass`, or the governor's default. */
  readonly requestClass: string;
  /** 0 before the first attempt; 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** The caller's signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** Epoch ms of the call's total deadline (`Infinity` for none). */
  readonly deadline: number;
  /** True once the call settled (cancelled, timed out, closed): stop and throw `cancelReason`. */
  readonly settled: boolean;
  readonly cancelReason: unknown;
  readonly reporter: Reporter;
  /** Usage reported so far (added up over attempts). */
  readonly usage: UsageTotals | undefined;
  /** What the last response asked to wait (`Retry-After`, a 429's reset), if anything. */
  readonly retryHintMs: number | undefined;
  /**
   * What the current attempt's response said (status, `RateLimit`, provider limits), once it
   * was observed; undefined before, and for an attempt that got no response (network error).
   */
  readonly feedback: ServerFeedback | undefined;
  /** The cost a budget reserved: charged for a success that reports none. */
  estimatedCostUsd: number | undefined;
  /** The governor's clock. */
  now(): number;
  /** The governor's verdict on an error (its `classifyError` first); cached for the last error. */
  classify(error: unknown): ErrorVerdict;
  /** Returns and forgets {@link retryHintMs}. */
  takeRetryHint(): number | undefined;
  /**
   * Waits on the governor's clock; resolves early when the call is cancelled, or when
   * `until` settles (its timer is then cleared).
   */
  sleep(ms: number, until?: PromiseLike<unknown>): Promise<void>;
  /**
   * Calls `listener.attemptEnded(token, …)` once when the current attempt ends (at once if it
   * has); outside any attempt (a policy placed before retry) when the call ends.
   */
  onAttemptEnd<K>(listener: AttemptEndListener<K>, token: K): void;
  /** Calls `listener.callEnded(token, …)` once when the call ends. */
  onCallEnd<K>(listener: CallEndListener<K>, token: K): void;
  /** Fails the current attempt with a `TimeoutError` after `ms`, aborting its signal. */
  armAttemptTimeout(ms: number): void;
  /** The same call with `changes` applied to its info, for the rest of the pipeline. */
  withInfo(changes: Partial<CallInfo>): PolicyContext;
}

/** A policy's view of the governor's state, for `governor.stats()`. */
export interface PolicyState {
  readonly concurrency?: { readonly limit: number; readonly inFlight: number; readonly queued: number };
  readonly quota?: Readonly<Record<string, { readonly remaining: number; readonly waiting: number }>>;
  readonly breakers?: Readonly<Record<string, BreakerState>>;
}

/** What the upstream policy learned about one upstream key. */
export interface UpstreamSnapshot {
  /** The admission rate learned from header-less 429s; undefined before the first. */
  readonly ratePerSecond: number | undefined;
  /** Epoch ms until which the upstream asked not to be called, while it lasts. */
  readonly pausedUntil: number | undefined;
  /** The request and token windows its own headers stated. */
  readonly windows: readonly WindowSnapshot[];
}

/** A policy's view of the store, for `governor.snapshot()` and the quota and credit gauges. */
export interface PolicySnapshot {
  readonly windows?: Readonly<Record<string, readonly WindowSnapshot[]>>;
  /** Per upstream key (a provider): what its answers taught. */
  readonly upstreams?: Readonly<Record<string, UpstreamSnapshot>>;
  readonly credits?: {
    readonly spentUsd: number;
    readonly reservedUsd: number;
    readonly remainingUsd: number;
    readonly limitUsd: number;
  };
}

/**
 * One job of the governor (a budget, retries, a breaker, a quota, …), composed outer to
 * inner by {@link compose}. Only `name` and `execute` are required.
 *
 * @example
 * // Refuses calls without a model, before any quota is spent on them.
 * const requireModel: Policy = {
 *   name: "require-model",
 *   execute: (ctx, next) =>
 *     ctx.info.model ? next(ctx) : Promise.reject(new TypeError("Expected `model` in the call info")),
 * };
 */
export interface Policy {
  /** Names the policy in errors and for `policies: (defaults) => …` look-ups. */
  readonly name: string;
  /**
   * True for a policy that makes attempts (retry): each call of its `next` is a new attempt
   * (`ctx.attempt` + 1); any other policy may call `next` once per `execute`.
   */
  readonly retries?: boolean;
  /** Does the policy's job around `next(ctx)`; settles with its result or an error. */
  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T>;
  /**
   * Learns from a response's headers (`RateLimit`, `Retry-After`, provider limits, …), for
   * `requestClass` and the attempt's `info` (its provider, say); returns the wait it
   * implies, if any (a 429's reset).
   */
  learn?(feedback: ServerFeedback, requestClass: string, info: CallInfo): number | undefined;
  /** Adds the policy's view of the call to its span (recording spans only), at the call's end. */
  describe?(ctx: PolicyContext, attributes: Attributes): void;
  /** For `governor.stats()`. */
  state?(): PolicyState;
  /** For `governor.snapshot()` and the quota and credit gauges. */
  snapshot?(now: number): Promise<PolicySnapshot>;
  /** Rejects whoever waits with `error`, stops timers. Called once by `governor.close()`. */
  close?(error: unknown): void | Promise<void>;
}

/**
 * The governor's own parts, for building policies that share its store, clock and events:
 * the second argument of the `policies` option, and the first of every policy factory.
 */
export interface PolicyKit {
  /** The governor's name. */
  readonly name: string;
  readonly clock: Clock;
  readonly store: QuotaStore;
  /** The quota scope in the store. */
  readonly scope: string;
  /** The governor's `queue` option. */
  readonly queue: QueueKind;
  readonly defaultRequestClass: string;
  /** The governor's `classifyError` option. */
  readonly classifyError: ((error: unknown) => ErrorVerdict | undefined) | undefined;
  /** The governor's events: `on` to listen, `emit` to report (as `governor.on` users see them). */
  readonly events: Emitter<GovernorEvents>;
  /**
   * The governor's `headerTimeScale`: server durations (headers, body hints) are divided by
   * it. 1 against a real service.
   */
  readonly headerTimeScale: number;
  /** @internal A 402 seen this month, shared by the budget and every call. */
  readonly creditsExhausted: CreditsExhausted;
}
