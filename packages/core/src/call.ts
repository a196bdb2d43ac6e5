import type { Attributes, Span } from "@opentelemetry/api";
import type { ActiveCall } from "./active-calls.js";
import {
  AttemptContextImpl,
  type AttemptHost,
  type ResponseLike,
  type UsageReport,
} from "./attempt-context.js";
import type { Reservation } from "./budget.js";
import { classifyError, type ErrorVerdict, statusOf } from "./classify.js";
import type { Deadline, Expirable } from "./deadline-queue.js";
import {
  BudgetExceededError,
  isBudgetExceededError,
  isCircuitOpenError,
  isSwarmgateError,
  isThrottledError,
  ThrottledError,
  TimeoutError,
} from "./errors.js";
import type { GovernorCore } from "./governor-core.js";
import { isPromise } from "./quota-gate.js";
import type { SlotLease } from "./quota-store.js";
import { retryDelay } from "./retry.js";
import { ATTR, type Outcome } from "./semconv.js";
import type { MetricLabels } from "./telemetry-labels.js";

/** What a call is, for quotas, breakers and telemetry. All optional. */
export interface CallInfo {
  /** `gen_ai.operation.name`: `chat`, `text_completion`, `embeddings`, … @default "chat" */
  readonly operation?: string;
  /** `gen_ai.request.model`. */
  readonly model?: string;
  /** The routed inference provider (`together`, `hf-inference`, …). */
  readonly provider?: string;
  /** The quota bucket: `inference`, `api`, `resolvers`, `pages`. @default the governor's defaultRequestClass */
  readonly requestClass?: string;
  /** The breaker to go through. @default provider ?? requestClass */
  readonly breakerKey?: string;
  /** The cost to reserve from the credit budget (USD). @default budget.estimateUsd(info) ?? budget.defaultEstimateUsd */
  readonly estimatedCostUsd?: number;
  /** Cancels the call: waiting, sleeping between retries and the attempt in flight. */
  readonly signal?: AbortSignal;
  /** Overrides the governor's attemptTimeoutMs for this call. */
  readonly attemptTimeoutMs?: number;
  /** Overrides the governor's totalTimeoutMs for this call. */
  readonly totalTimeoutMs?: number;
  /** Extra span attributes (agent, conversation, request ids: spans only, never metrics). */
  readonly attributes?: Attributes;
}

/** The function a call runs on each attempt. */
export type Attempt<T> = (context: import("./attempt-context.js").AttemptContext) => Promise<T> | T;

function outcomeOf(error: unknown, verdict: ErrorVerdict | undefined): Outcome {
  if (isSwarmgateError(error)) {
    switch (error.code) {
      case "budget_exceeded":
        return "budget_exceeded";
      case "circuit_open":
        return "circuit_open";
      case "queue_full":
        return "queue_full";
      case "throttled":
        return "rate_limited";
      case "timeout":
        return "timeout";
      case "closed":
        return "closed";
    }
  }
  if (verdict?.reason === "aborted") return "aborted";
  if (verdict?.reason === "rate_limited") return "rate_limited";
  return "error";
}

/**
 * @internal One attempt in flight: its slot, its deadline and the promise it settles. An
 * object with methods rather than closures, because every attempt allocates one.
 */
class AttemptRun<T> implements Expirable {
  readonly ctx: AttemptContextImpl;
  readonly #call: Call<T>;
  readonly #lease: SlotLease | undefined;
  #deadline: Deadline | undefined;
  #done = false;
  #slotReleased = false;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;

  constructor(call: Call<T>, ctx: AttemptContextImpl, lease: SlotLease | undefined) {
    this.#call = call;
    this.ctx = ctx;
    this.#lease = lease;
  }

  start(deadlines: GovernorCore["deadlines"], timeoutMs: number, now: number): void {
    if (Number.isFinite(timeoutMs)) this.#deadline = deadlines.add(timeoutMs, this, now);
  }

  /** The attempt timed out. */
  expire(): void {
    this.#deadline = undefined;
    this.fail(new TimeoutError("attempt", this.#call.attemptTimeoutMs));
  }

  succeed(value: T): void {
    if (this.#finish(false, undefined)) this.resolve(value);
  }

  /** Fails the attempt now (error, timeout, cancel): its signal aborts and its slot is freed. */
  fail(error: unknown): void {
    if (this.#finish(true, error)) {
      this.ctx.abort(error);
      this.reject(error);
    }
  }

  /** Settled by the function's own rejection: nothing left to abort. */
  rejected(error: unknown): void {
    if (this.#finish(true, error)) this.reject(error);
  }

  /** Frees the concurrency slot, once. */
  releaseSlot(): void {
    if (this.#slotReleased || this.#lease === undefined) return;
    this.#slotReleased = true;
    this.#call.core.concurrency!.release(this.#lease);
  }

  #finish(failed: boolean, error: unknown): boolean {
    if (this.#done) return false;
    this.#done = true;
    if (this.#deadline) this.#call.core.deadlines.cancel(this.#deadline);
    this.ctx.dispose();
    this.#call.attemptFinished(this, failed, error);
    return true;
  }
}

/** @internal A stream holding its slot after its call returned: see `holdSlot()`. */
class HeldSlot {
  released = false;
  #releaseSlot: (() => void) | undefined;
  readonly #onRelease: () => void;
  readonly release = (): void => {
    if (this.released) return;
    this.released = true;
    this.#releaseSlot?.();
    this.#onRelease();
  };

  constructor(onRelease: () => void) {
    this.#onRelease = onRelease;
  }

  attach(releaseSlot: () => void): void {
    this.#releaseSlot = releaseSlot;
    if (this.released) releaseSlot();
  }
}

/** @internal One logical call: budget, retry loop, breaker, quota, concurrency, attempt timeout. */
export class Call<T> implements AttemptHost, ActiveCall, Expirable {
  readonly promise: Promise<T>;
  readonly callSignal: AbortSignal | undefined;
  readonly core: GovernorCore;
  readonly attemptTimeoutMs: number;
  prevActive: ActiveCall | undefined;
  nextActive: ActiveCall | undefined;
  readonly #fn: Attempt<T>;
  readonly #info: CallInfo;
  readonly #requestClass: string;
  readonly #labels: MetricLabels;
  readonly #startedAt: number;
  readonly #deadline: number;
  readonly #totalTimeoutMs: number;
  readonly #span: Span;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  #ended = false;
  #cancelReason: unknown;
  #totalEntry: Deadline | undefined;
  #current: AttemptRun<T> | undefined;
  #wakeSleep: (() => void) | undefined;
  #onCallAbort: (() => void) | undefined;
  // The clock reading of the synchronous stretch that started the call; NaN once it awaited.
  #tick: number;
  #attempts = 0;
  #throttleWaitMs = 0;
  #hintMs: number | undefined;
  #usage:
    | { inputTokens: number; outputTokens: number; costUsd: number | undefined; responseModel?: string }
    | undefined;
  #reservation: Reservation | undefined;
  #held: HeldSlot | undefined;

  constructor(core: GovernorCore, fn: Attempt<T>, info: CallInfo) {
    this.core = core;
    this.#fn = fn;
    this.#info = info;
    const o = core.options;
    this.#requestClass = info.requestClass ?? o.defaultRequestClass;
    this.#labels = core.telemetry.labels({
      operation: info.operation ?? "chat",
      model: info.model,
      provider: info.provider,
    });
    const now = core.clock.now();
    this.#tick = now;
    this.#startedAt = now;
    const total = info.totalTimeoutMs ?? o.totalTimeoutMs;
    this.#totalTimeoutMs = total;
    this.#deadline = now + total;
    this.attemptTimeoutMs = info.attemptTimeoutMs ?? o.attemptTimeoutMs;
    this.callSignal = info.signal;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#span = core.telemetry.startCall(this.#labels, info.attributes);
    core.stats.started++;
    core.active.add(this);
    core.retryBudget?.recordCall(now);
    if (Number.isFinite(total)) this.#totalEntry = core.deadlines.add(total, this, now);
    const signal = info.signal;
    if (signal) {
      if (signal.aborted) {
        this.cancel(signal.reason);
        return;
      }
      this.#onCallAbort = () => this.cancel(signal.reason);
      signal.addEventListener("abort", this.#onCallAbort, { once: true });
    }
    void this.#execute();
  }

  /** The total deadline passed: a stream still holding its slot gives it back; anything else times out. */
  expire(): void {
    this.#totalEntry = undefined;
    if (this.#settled) this.#held?.release();
    else this.cancel(new TimeoutError("total", this.#totalTimeoutMs));
  }

  /** Settles the call now with `reason` (abort, total timeout, close); the attempt in flight is aborted. */
  cancel(reason: unknown): void {
    if (this.#settled) {
      // Already answered, but a stream may still hold its slot: give it back (close, abort).
      this.#held?.release();
      return;
    }
    this.#settled = true;
    this.#cancelReason = reason;
    this.#current?.fail(reason);
    this.#wakeSleep?.();
    this.#reject(reason);
    const aborted = !!this.callSignal?.aborted && reason === this.callSignal.reason;
    this.#end(outcomeOf(reason, classifyError(reason, aborted)), reason);
  }

  #now(): number {
    return Number.isNaN(this.#tick) ? this.core.clock.now() : this.#tick;
  }

  async #execute(): Promise<void> {
    const core = this.core;
    let verdict: ErrorVerdict | undefined;
    try {
      if (core.budget) {
        const reservation = core.budget.reserve(this.#info, this.#tick);
        if (isPromise(reservation)) {
          this.#tick = Number.NaN; // what follows runs after an await
          this.#reservation = await reservation;
        } else this.#reservation = reservation;
      }
      for (let attempt = 1; ; attempt++) {
        this.#checkLive();
        try {
          const pending = this.#attempt(attempt);
          this.#tick = Number.NaN; // what follows runs after an await
          const value = await pending;
          if (this.#settled) return;
          core.concurrency?.succeeded();
          this.#settled = true;
          this.#resolve(value);
          if (!this.#held || this.#held.released) this.#end("success", undefined);
          return;
        } catch (error) {
          if (this.#settled) return;
          verdict = core.options.classifyError?.(error) ?? classifyError(error, !!this.callSignal?.aborted);
          if (verdict.reason === "credits_exhausted" && !isBudgetExceededError(error)) {
            core.creditsExhausted.mark(this.#requestClass);
            throw new BudgetExceededError(
              "The upstream answered 402: credits exhausted",
              { status: 402 },
              { cause: error },
            );
          }
          this.#noteThrottle(error, verdict);
          if (verdict.reason === "overloaded" || verdict.reason === "timeout") core.concurrency?.overloaded();
          if (!verdict.retryable || attempt >= core.options.retry.maxAttempts)
            throw this.#final(error, verdict);
          // What this attempt's response said (observed, in wall time) wins over the error's copy.
          const delay = retryDelay(attempt, core.options.retry, this.#hintMs ?? verdict.retryAfterMs);
          this.#hintMs = undefined;
          if (core.clock.now() + delay > this.#deadline) throw this.#final(error, verdict);
          if (core.retryBudget && !core.retryBudget.tryRetry()) throw this.#final(error, verdict);
          core.stats.retry(verdict.reason);
          core.telemetry.retry(this.#span, this.#labels, attempt, verdict.reason, delay);
          if (core.events.has("retry"))
            core.events.emit("retry", {
              attempt,
              reason: verdict.reason,
              delayMs: delay,
              error,
              info: this.#info,
            });
          await this.#sleep(delay);
        }
      }
    } catch (error) {
      if (this.#settled) return;
      this.#settled = true;
      this.#reject(error);
      this.#end(outcomeOf(error, verdict), error);
    }
  }

  // A 429 that outlived its retries is a throttle the caller should see as one.
  #final(error: unknown, verdict: ErrorVerdict): unknown {
    if (verdict.reason !== "rate_limited" || isThrottledError(error)) return error;
    return new ThrottledError("The upstream kept answering 429 (rate limited)", this.#requestClass, {
      cause: error,
      retryAfterMs: this.#hintMs ?? verdict.retryAfterMs,
    });
  }

  #noteThrottle(error: unknown, verdict: ErrorVerdict): void {
    const source =
      verdict.status === 429
        ? "server_429"
        : verdict.status === 503
          ? "server_503"
          : isCircuitOpenError(error)
            ? "breaker_open"
            : undefined;
    if (!source) return;
    this.core.stats.throttles[source]++;
    this.core.telemetry.throttle(this.#span, this.#labels, source, 0);
  }

  #checkLive(): void {
    if (this.#settled) throw this.#cancelReason;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = this.core.clock.setTimeout(() => {
        this.#wakeSleep = undefined;
        resolve();
      }, ms);
      this.#wakeSleep = () => {
        this.core.clock.clearTimeout(handle);
        this.#wakeSleep = undefined;
        resolve();
      };
    });
  }

  #attempt(attempt: number): Promise<T> {
    const breakers = this.core.breakers;
    if (!breakers) return this.#quota(attempt);
    const breaker = breakers.get(this.#breakerKey());
    if (!this.#span.isRecording()) return breaker.fire(() => this.#quota(attempt));
    // A transition seen by a recorded call becomes an event on its span.
    const before = breaker.state;
    const moved = () => {
      if (breaker.state !== before)
        this.core.telemetry.breakerChanged(this.#span, breaker.key, before, breaker.state);
    };
    return breaker
      .fire(() => this.#quota(attempt))
      .then(
        (value) => {
          moved();
          return value;
        },
        (error: unknown) => {
          moved();
          throw error;
        },
      );
  }

  #breakerKey(): string {
    return this.#info.breakerKey ?? this.#info.provider ?? this.#requestClass;
  }

  #quota(attempt: number): Promise<T> {
    const gate = this.core.gates.get(this.#requestClass);
    if (!gate) return this.#slot(attempt);
    const waited = gate.acquire({ deadline: this.#deadline, signal: this.callSignal }, this.#now());
    if (typeof waited === "number") return this.#slot(attempt);
    return waited.then((ms) => {
      this.#throttled("local_window", ms);
      return this.#slot(attempt);
    });
  }

  #slot(attempt: number): Promise<T> {
    if (this.#settled) return Promise.reject(this.#cancelReason);
    const limiter = this.core.concurrency;
    if (!limiter || !this.core.options.concurrencyClasses.has(this.#requestClass))
      return this.#invoke(attempt, undefined);
    const lease = limiter.acquire(this.callSignal, this.#now());
    if (!isPromise(lease)) return this.#invoke(attempt, lease);
    const since = this.core.clock.now();
    return (lease as Promise<SlotLease>).then((l) => {
      this.#throttled("local_concurrency", this.core.clock.now() - since);
      return this.#invoke(attempt, l);
    });
  }

  #throttled(source: "local_window" | "local_concurrency", waitedMs: number): void {
    this.#throttleWaitMs += waitedMs;
    this.core.stats.throttles[source]++;
    this.core.telemetry.throttle(this.#span, this.#labels, source, waitedMs);
    if (this.core.events.has("throttle"))
      this.core.events.emit("throttle", {
        source,
        waitMs: waitedMs,
        requestClass: this.#requestClass,
        info: this.#info,
      });
  }

  #invoke(attempt: number, lease: SlotLease | undefined): Promise<T> {
    const core = this.core;
    const run = new AttemptRun(this, new AttemptContextImpl(attempt, this), lease);
    if (this.#settled) {
      run.releaseSlot();
      return Promise.reject(this.#cancelReason);
    }
    // Credits may have run out (a 402 elsewhere) while this call waited for its turn.
    const exhausted = core.creditsExhausted.error(this.#requestClass, this.#now());
    if (exhausted) {
      run.releaseSlot();
      return Promise.reject(exhausted);
    }
    this.#attempts++;
    core.stats.attempts++;
    const promise = new Promise<T>((resolve, reject) => {
      run.resolve = resolve;
      run.reject = reject;
    });
    this.#current = run;
    run.start(core.deadlines, this.attemptTimeoutMs, this.#now());
    let result: T | PromiseLike<T>;
    try {
      // The call's span is active inside the attempt: adapters' HTTP spans are its children.
      result = this.#span.isRecording()
        ? core.telemetry.withSpan(this.#span, () => this.#fn(run.ctx))
        : this.#fn(run.ctx);
    } catch (error) {
      run.fail(error);
      return promise;
    }
    if (!isPromise(result)) run.succeed(result);
    else
      result.then(
        (value) => run.succeed(value),
        (error: unknown) => run.rejected(error),
      );
    return promise;
  }

  /** @internal An attempt ended: free its slot, unless a stream holds it past the call's return. */
  attemptFinished(run: AttemptRun<T>, failed: boolean, error: unknown): void {
    if (this.#current === run) this.#current = undefined;
    // Before the slot goes to the next caller: after a 402 nobody else may be sent this month.
    if (failed && statusOf(error) === 402) this.core.creditsExhausted.mark(this.#requestClass);
    if (!failed && this.#held) this.#held.attach(() => run.releaseSlot());
    else {
      run.releaseSlot();
      this.#held = undefined;
    }
  }

  // AttemptHost

  observe(response: ResponseLike): void {
    const hint = this.core.applyFeedback(response, this.#requestClass);
    if (hint !== undefined) this.#hintMs = hint;
  }

  reportUsage(usage: UsageReport): void {
    this.#usage ??= { inputTokens: 0, outputTokens: 0, costUsd: undefined };
    const u = this.#usage;
    if (usage.inputTokens !== undefined) u.inputTokens += usage.inputTokens;
    if (usage.outputTokens !== undefined) u.outputTokens += usage.outputTokens;
    if (usage.costUsd !== undefined) u.costUsd = (u.costUsd ?? 0) + usage.costUsd;
    if (usage.responseModel !== undefined) u.responseModel = usage.responseModel;
  }

  holdSlot(): () => void {
    this.#held ??= new HeldSlot(() => {
      if (this.#settled) this.#end("success", undefined);
    });
    return this.#held.release;
  }

  #end(outcome: Outcome, error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const core = this.core;
    core.active.delete(this);
    if (this.#totalEntry) core.deadlines.cancel(this.#totalEntry);
    if (this.#onCallAbort) this.callSignal?.removeEventListener("abort", this.#onCallAbort);
    const durationMs = core.clock.now() - this.#startedAt;
    const u = this.#usage;
    const cost = u?.costUsd ?? (outcome === "success" ? (this.#reservation?.amountUsd ?? 0) : 0);
    if (this.#reservation && core.budget) {
      const settled = core.budget.settle(this.#reservation, cost);
      this.#reservation = undefined;
      if (isPromise(settled)) Promise.resolve(settled).catch(() => {});
    }
    if (cost > 0) {
      core.stats.creditsSpentUsd += cost;
      core.telemetry.creditsSpent(this.#labels, cost);
    }
    core.stats.settle(outcome, durationMs);
    const tokens = u ? { input: u.inputTokens, output: u.outputTokens } : undefined;
    core.telemetry.endCall(
      this.#span,
      this.#labels,
      outcome,
      durationMs,
      tokens,
      this.#spanAttributes(cost),
      error,
    );
    if (core.events.has("callEnd"))
      core.events.emit("callEnd", { outcome, durationMs, attempts: this.#attempts, info: this.#info, error });
  }

  // Built only for a span that records: nobody reads them otherwise.
  #spanAttributes(cost: number): Attributes | undefined {
    if (!this.#span.isRecording()) return undefined;
    const core = this.core;
    const attrs: Attributes = {
      [ATTR.SWARMGATE_ATTEMPTS]: this.#attempts,
      [ATTR.SWARMGATE_THROTTLE_WAIT]: this.#throttleWaitMs / 1000,
      [ATTR.SWARMGATE_REQUEST_CLASS]: this.#requestClass,
      [ATTR.SWARMGATE_QUOTA_REMAINING]: core.gates.get(this.#requestClass)?.lastRemaining ?? -1,
    };
    if (core.options.store.status)
      attrs[ATTR.SWARMGATE_STORE_FALLBACK] = core.options.store.status === "fallback";
    if (cost > 0) attrs[ATTR.SWARMGATE_COST_USD] = cost;
    if (core.breakers) {
      const key = this.#breakerKey();
      attrs[ATTR.SWARMGATE_BREAKER_KEY] = key;
      const state = core.breakers.states()[key];
      if (state) attrs[ATTR.SWARMGATE_BREAKER_STATE] = state;
    }
    const u = this.#usage;
    if (u && u.inputTokens > 0) attrs[ATTR.GEN_AI_USAGE_INPUT_TOKENS] = u.inputTokens;
    if (u && u.outputTokens > 0) attrs[ATTR.GEN_AI_USAGE_OUTPUT_TOKENS] = u.outputTokens;
    if (u?.responseModel) attrs[ATTR.GEN_AI_RESPONSE_MODEL] = u.responseModel;
    return attrs;
  }
}
