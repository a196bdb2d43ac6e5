import type { Attributes, Span } from "@opentelemetry/api";
import type { ResponseLike, ResponseReport, UsageReport } from "./attempt-context.js";
import type { BreakerState } from "./breaker.js";
import type { CallHost } from "./call-host.js";
import type { CallInfo } from "./call-info.js";
import { addResponse, addResponseAttributes, type ResponseTotals } from "./call-response.js";
import { CallView } from "./call-view.js";
import { classifyWith, type ErrorVerdict, type FailureReason } from "./classify.js";
import type { Recovering } from "./compose.js";
import type { DeadlineQueue } from "./deadline-queue.js";
import type { Next, PolicyContext, Reporter, UsageTotals } from "./policy.js";
import type { Outcome, ThrottleSource } from "./semconv.js";
import type { ServerFeedback } from "./server-feedback.js";
import type { MetricLabels } from "./telemetry-labels.js";
import type { RetryWait } from "./telemetry-wait.js";
import { expectNumber, fail } from "./validate.js";

type Usage = { -readonly [K in keyof UsageTotals]: UsageTotals[K] };

/**
 * @internal The parts of a call's {@link PolicyContext} that need no attempt: its span and
 * metric labels with the {@link Reporter} policies tell what they did, its clock reading,
 * deadline, classification, retry hint, usage and sleeping. {@link Call} adds the attempts
 * and the settling. One class (no extra object, no extra constructor level per call).
 */
export abstract class CallContext implements Reporter {
  readonly host: CallHost;
  readonly info: CallInfo;
  readonly requestClass: string;
  protected readonly span: Span;
  protected readonly labels: MetricLabels;
  protected throttleWaitMs = 0;
  readonly callSignal: AbortSignal | undefined;
  estimatedCostUsd: number | undefined;
  protected readonly startedAt: number;
  protected readonly totalTimeoutMs: number;
  readonly #deadline: number;
  // The clock reading of the synchronous stretch that starts the call; NaN once it is over.
  protected tick: number;
  protected wakeSleep: (() => void) | undefined;
  #hintMs: number | undefined;
  #feedback: ServerFeedback | undefined;
  #usage: Usage | undefined;
  #response: ResponseTotals | undefined;
  #retryWait: RetryWait | undefined;
  #lastError: unknown;
  #lastVerdict: ErrorVerdict | undefined;
  #recovering: Recovering | undefined;
  #recoverNext: Next<unknown> | undefined;

  constructor(host: CallHost, info: CallInfo) {
    this.host = host;
    this.info = info;
    this.requestClass = info.requestClass ?? host.defaultRequestClass;
    this.labels = host.telemetry.labels({
      operation: info.operation ?? "chat",
      model: info.model,
      provider: info.provider,
    });
    this.span = host.telemetry.startCall(this.labels, info.attributes);
    const now = host.clock.now();
    this.tick = now;
    this.startedAt = now;
    this.totalTimeoutMs = info.totalTimeoutMs ?? host.totalTimeoutMs;
    this.#deadline = now + this.totalTimeoutMs;
    this.callSignal = info.signal;
  }

  get signal(): AbortSignal | undefined {
    return this.callSignal;
  }
  get deadline(): number {
    return this.#deadline;
  }
  get usage(): UsageTotals | undefined {
    return this.#usage;
  }
  get retryHintMs(): number | undefined {
    return this.#hintMs;
  }
  get feedback(): ServerFeedback | undefined {
    return this.#feedback;
  }
  get deadlines(): DeadlineQueue {
    return this.host.deadlines;
  }

  now(): number {
    return Number.isNaN(this.tick) ? this.host.clock.now() : this.tick;
  }

  classify(error: unknown): ErrorVerdict {
    if (error === this.#lastError && this.#lastVerdict) return this.#lastVerdict;
    let verdict = classifyWith(this.host.classifyError, error, !!this.callSignal?.aborted);
    const scale = this.host.headerTimeScale;
    if (verdict.hintFrom === "body" && scale !== 1 && verdict.retryAfterMs !== undefined)
      verdict = { ...verdict, retryAfterMs: verdict.retryAfterMs / scale };
    this.#lastError = error;
    this.#lastVerdict = verdict;
    return verdict;
  }

  takeRetryHint(): number | undefined {
    const hint = this.#hintMs;
    this.#hintMs = undefined;
    return hint;
  }

  /**
   * Feeds a response's headers to the policies (for the attempt's `info`, which a routing
   * policy may have changed); keeps what they said and the wait it asks for (the retry's hint).
   */
  observe(response: ResponseLike, info: CallInfo = this.info): void {
    const observed = this.host.feedback(response, info.requestClass ?? this.requestClass, info);
    this.#feedback = observed.feedback;
    if (observed.hintMs !== undefined) this.#hintMs = observed.hintMs;
  }

  /** A new attempt starts: what the previous one's response said is not this one's; a retry's delay is over. */
  protected forgetFeedback(): void {
    this.#feedback = undefined;
    if (this.#retryWait) this.#endRetryWait();
  }

  #endRetryWait(): void {
    this.host.telemetry.endRetryWait(this.#retryWait!);
    this.#retryWait = undefined;
  }

  reportResponse(response: ResponseReport): void {
    this.#response = addResponse(this.#response, response);
  }

  /** Ends the call's span (`attrs` for a recording one) and records its metrics. */
  protected endSpan(
    outcome: Outcome,
    durationMs: number,
    tokens: { input: number; output: number } | undefined,
    attrs: Attributes | undefined,
    error: unknown,
  ): void {
    if (this.#retryWait) this.#endRetryWait();
    if (attrs) addResponseAttributes(attrs, this.#response, this.info);
    const server = this.#response?.server;
    this.host.telemetry.endCall(this.span, this.labels, outcome, durationMs, tokens, attrs, error, server);
  }

  reportUsage(usage: UsageReport): void {
    // A negative or NaN cost would drive the ledger negative and let the budget admit more.
    if (typeof usage !== "object" || usage === null) fail("usage", "an object", usage);
    for (const key of ["inputTokens", "outputTokens", "costUsd"] as const)
      if (usage[key] !== undefined) expectNumber(`usage.${key}`, usage[key]);
    this.#usage ??= { inputTokens: 0, outputTokens: 0, costUsd: undefined };
    const u = this.#usage;
    if (usage.inputTokens !== undefined) u.inputTokens += usage.inputTokens;
    if (usage.outputTokens !== undefined) u.outputTokens += usage.outputTokens;
    if (usage.costUsd !== undefined) u.costUsd = (u.costUsd ?? 0) + usage.costUsd;
    if (usage.responseModel !== undefined) u.responseModel = usage.responseModel;
  }

  sleep(ms: number, until?: PromiseLike<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = this.host.clock.setTimeout(() => {
        if (this.wakeSleep === wake) this.wakeSleep = undefined;
        resolve();
      }, ms);
      const wake = () => {
        this.host.clock.clearTimeout(handle);
        if (this.wakeSleep === wake) this.wakeSleep = undefined;
        resolve();
      };
      this.wakeSleep = wake;
      until?.then(wake, wake);
    });
  }

  recoverWith(policy: Recovering, next: Next<unknown>): void {
    this.#recovering = policy;
    this.#recoverNext = next;
  }

  /** The retry's answer to a failed first attempt when the call holds its catch, else undefined. */
  protected recover(error: unknown): Promise<unknown> | undefined {
    const policy = this.#recovering;
    if (policy === undefined) return undefined;
    this.#recovering = undefined;
    try {
      return policy.recover(this as unknown as PolicyContext, this.#recoverNext!, error);
    } catch (thrown) {
      return Promise.reject(thrown);
    }
  }

  withInfo(changes: Partial<CallInfo>): PolicyContext {
    return new CallView(this as unknown as ConstructorParameters<typeof CallView>[0], {
      ...this.info,
      ...changes,
    });
  }

  get reporter(): Reporter {
    return this;
  }

  get recording(): boolean {
    return this.span.isRecording();
  }

  throttled(source: ThrottleSource, waitMs: number, requestClass = this.requestClass): void {
    const host = this.host;
    this.throttleWaitMs += waitMs;
    host.stats.throttles[source]++;
    host.telemetry.throttle(this.span, this.labels, source, waitMs);
    // The event is about local waits; the server's refusals are counted, not waited for.
    if ((source === "local_window" || source === "local_concurrency") && host.events.has("throttle"))
      host.events.emit("throttle", { source, waitMs, requestClass, info: this.info });
  }

  waited(source: ThrottleSource, waitMs: number): void {
    this.throttleWaitMs += waitMs;
    this.host.telemetry.throttle(this.span, this.labels, source, waitMs, false);
  }

  retrying(attempt: number, reason: FailureReason, delayMs: number, error: unknown): void {
    const host = this.host;
    host.stats.retry(reason);
    const wait = host.telemetry.retry(this.span, this.labels, attempt, reason, delayMs);
    if (wait) this.#retryWait = wait;
    if (host.events.has("retry"))
      host.events.emit("retry", { attempt, reason, delayMs, error, info: this.info });
  }

  breakerMoved(key: string, from: BreakerState, to: BreakerState): void {
    this.host.telemetry.breakerChanged(this.span, key, from, to);
  }
}
