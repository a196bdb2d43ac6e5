import type { Attributes, Span } from "@opentelemetry/api";
import {
  AttemptContextImpl,
  type AttemptHost,
  type ResponseLike,
  type UsageReport,
} from "./attempt-context.js";
import type { Reservation } from "./budget.js";
import { classifyError, type ErrorVerdict } from "./classify.js";
import type { Deadline } from "./deadline-queue.js";
import {
  BudgetExceededError,
  isBudgetExceededError,
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
import type { CallMetricAttributes } from "./telemetry.js";

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

/** @internal One logical call: budget, retry loop, breaker, quota, concurrency, attempt timeout. */
export class Call<T> implements AttemptHost {
  readonly promise: Promise<T>;
  readonly callSignal: AbortSignal | undefined;
  readonly #core: GovernorCore;
  readonly #fn: Attempt<T>;
  readonly #info: CallInfo;
  readonly #requestClass: string;
  readonly #attrs: CallMetricAttributes;
  readonly #startedAt: number;
  readonly #deadline: number;
  readonly #attemptTimeoutMs: number;
  readonly #span: Span;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  #ended = false;
  #cancelReason: unknown;
  #totalEntry: Deadline | undefined;
  #abortCurrent: ((reason: unknown) => void) | undefined;
  #wakeSleep: (() => void) | undefined;
  #onCallAbort: (() => void) | undefined;
  #attempts = 0;
  #throttleWaitMs = 0;
  #hintMs: number | undefined;
  #usage: { inputTokens: number; outputTokens: number; costUsd: number | undefined; responseModel?: string } =
    {
      inputTokens: 0,
      outputTokens: 0,
      costUsd: undefined,
    };
  #reservation: Reservation | undefined;
  #held: { readonly released: boolean; attach(releaseSlot: () => void): void; release(): void } | undefined;

  constructor(core: GovernorCore, fn: Attempt<T>, info: CallInfo) {
    this.#core = core;
    this.#fn = fn;
    this.#info = info;
    const o = core.options;
    this.#requestClass = info.requestClass ?? o.defaultRequestClass;
    this.#attrs = { operation: info.operation ?? "chat", model: info.model, provider: info.provider };
    this.#startedAt = core.clock.now();
    const total = info.totalTimeoutMs ?? o.totalTimeoutMs;
    this.#deadline = this.#startedAt + total;
    this.#attemptTimeoutMs = info.attemptTimeoutMs ?? o.attemptTimeoutMs;
    this.callSignal = info.signal;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#span = core.telemetry.startCall(this.#attrs, info.attributes);
    core.stats.started++;
    core.active.add(this as Call<unknown>);
    core.retryBudget?.recordCall();
    if (Number.isFinite(total))
      this.#totalEntry = core.deadlines.add(total, () => {
        // A stream still holding its slot at the deadline gives it back; anything else times out.
        if (this.#settled) this.#held?.release();
        else this.cancel(new TimeoutError("total", total));
      });
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

  /** Settles the call now with `reason` (abort, total timeout, close); the attempt in flight is aborted. */
  cancel(reason: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cancelReason = reason;
    this.#abortCurrent?.(reason);
    this.#wakeSleep?.();
    this.#reject(reason);
    this.#end(
      outcomeOf(
        reason,
        classifyError(reason, reason === this.callSignal?.reason && !!this.callSignal?.aborted),
      ),
      reason,
    );
  }

  async #execute(): Promise<void> {
    const core = this.#core;
    let verdict: ErrorVerdict | undefined;
    try {
      if (core.budget) this.#reservation = await core.budget.reserve(this.#info);
      for (let attempt = 1; ; attempt++) {
        this.#checkLive();
        try {
          const value = await this.#attempt(attempt);
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
            core.budget?.markExhausted();
            throw new BudgetExceededError(
              "The upstream answered 402: credits exhausted",
              { status: 402 },
              { cause: error },
            );
          }
          this.#noteServerThrottle(verdict);
          if (verdict.reason === "overloaded" || verdict.reason === "timeout") core.concurrency?.overloaded();
          if (!verdict.retryable || attempt >= core.options.retry.maxAttempts)
            throw this.#final(error, verdict);
          const delay = retryDelay(attempt, core.options.retry, verdict.retryAfterMs ?? this.#hintMs);
          this.#hintMs = undefined;
          if (core.clock.now() + delay > this.#deadline) throw this.#final(error, verdict);
          if (core.retryBudget && !core.retryBudget.tryRetry()) throw this.#final(error, verdict);
          core.stats.retry(verdict.reason);
          core.telemetry.retry(this.#span, this.#attrs, attempt, verdict.reason, delay);
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
      retryAfterMs: verdict.retryAfterMs ?? this.#hintMs,
    });
  }

  #noteServerThrottle(verdict: ErrorVerdict): void {
    const source = verdict.status === 429 ? "server_429" : verdict.status === 503 ? "server_503" : undefined;
    if (!source) return;
    this.#core.stats.throttles[source]++;
    this.#core.telemetry.throttle(this.#span, this.#attrs, source, 0);
  }

  #checkLive(): void {
    if (this.#settled) throw this.#cancelReason;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = this.#core.clock.setTimeout(() => {
        this.#wakeSleep = undefined;
        resolve();
      }, ms);
      this.#wakeSleep = () => {
        this.#core.clock.clearTimeout(handle);
        this.#wakeSleep = undefined;
        resolve();
      };
    });
  }

  #attempt(attempt: number): Promise<T> {
    const core = this.#core;
    const breakers = core.breakers;
    const run = () => this.#quota(attempt);
    if (!breakers) return run();
    const breaker = breakers.get(this.#breakerKey());
    // A transition seen by a recorded call becomes an event on its span.
    const before = this.#span.isRecording() ? breaker.state : undefined;
    const moved = () => {
      if (before !== undefined && breaker.state !== before)
        core.telemetry.breakerChanged(this.#span, breaker.key, before, breaker.state);
    };
    return breaker.fire(run).then(
      before === undefined
        ? undefined
        : (value) => {
            moved();
            return value;
          },
      (error) => {
        moved();
        if (isSwarmgateError(error) && error.code === "circuit_open") {
          core.stats.throttles.breaker_open++;
          core.telemetry.throttle(this.#span, this.#attrs, "breaker_open", 0);
        }
        throw error;
      },
    );
  }

  #breakerKey(): string {
    return this.#info.breakerKey ?? this.#info.provider ?? this.#requestClass;
  }

  #quota(attempt: number): Promise<T> {
    const gate = this.#core.gates.get(this.#requestClass);
    if (!gate) return this.#slot(attempt);
    const waited = gate.acquire({ deadline: this.#deadline, signal: this.callSignal });
    if (typeof waited === "number") return this.#slot(attempt);
    return waited.then((ms) => {
      this.#throttled("local_window", ms);
      return this.#slot(attempt);
    });
  }

  #slot(attempt: number): Promise<T> {
    if (this.#settled) return Promise.reject(this.#cancelReason);
    const limiter = this.#core.concurrency;
    if (!limiter || !this.#core.options.concurrencyClasses.has(this.#requestClass))
      return this.#invoke(attempt, undefined);
    const lease = limiter.acquire(this.callSignal);
    if (!isPromise(lease)) return this.#invoke(attempt, lease);
    const since = this.#core.clock.now();
    return (lease as Promise<SlotLease>).then((l) => {
      this.#throttled("local_concurrency", this.#core.clock.now() - since);
      return this.#invoke(attempt, l);
    });
  }

  #throttled(source: "local_window" | "local_concurrency", waitedMs: number): void {
    this.#throttleWaitMs += waitedMs;
    this.#core.stats.throttles[source]++;
    this.#core.telemetry.throttle(this.#span, this.#attrs, source, waitedMs);
    this.#core.events.emit("throttle", {
      source,
      waitMs: waitedMs,
      requestClass: this.#requestClass,
      info: this.#info,
    });
  }

  #invoke(attempt: number, lease: SlotLease | undefined): Promise<T> {
    const core = this.#core;
    let released = false;
    const release = () => {
      if (released || lease === undefined) return;
      released = true;
      core.concurrency!.release(lease);
    };
    if (this.#settled) {
      release();
      return Promise.reject(this.#cancelReason);
    }
    this.#attempts++;
    core.stats.attempts++;
    const ctx = new AttemptContextImpl(attempt, this);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (success: boolean): boolean => {
        if (done) return false;
        done = true;
        if (entry) core.deadlines.cancel(entry);
        // A held slot stays taken after success: the stream that holds it releases it.
        if (success && this.#held) this.#held.attach(release);
        else {
          release();
          this.#held = undefined;
        }
        ctx.dispose();
        this.#abortCurrent = undefined;
        return true;
      };
      const fail = (error: unknown) => {
        if (finish(false)) {
          ctx.abort(error);
          reject(error);
        }
      };
      this.#abortCurrent = fail;
      const timeoutMs = this.#attemptTimeoutMs;
      const entry = Number.isFinite(timeoutMs)
        ? core.deadlines.add(timeoutMs, () => fail(new TimeoutError("attempt", timeoutMs)))
        : undefined;
      let result: T | PromiseLike<T>;
      try {
        // The call's span is active inside the attempt: adapters' HTTP spans are its children.
        result = core.telemetry.withSpan(this.#span, () => this.#fn(ctx));
      } catch (error) {
        fail(error);
        return;
      }
      if (!isPromise(result)) {
        if (finish(true)) resolve(result);
        return;
      }
      result.then(
        (value) => {
          if (finish(true)) resolve(value);
        },
        (error: unknown) => {
          if (finish(false)) reject(error);
        },
      );
    });
  }

  // AttemptHost

  observe(response: ResponseLike): void {
    const hint = this.#core.applyFeedback(response, this.#requestClass);
    if (hint !== undefined) this.#hintMs = hint;
  }

  reportUsage(usage: UsageReport): void {
    const u = this.#usage;
    if (usage.inputTokens !== undefined) u.inputTokens += usage.inputTokens;
    if (usage.outputTokens !== undefined) u.outputTokens += usage.outputTokens;
    if (usage.costUsd !== undefined) u.costUsd = (u.costUsd ?? 0) + usage.costUsd;
    if (usage.responseModel !== undefined) u.responseModel = usage.responseModel;
  }

  holdSlot(): () => void {
    if (!this.#held) {
      let released = false;
      let releaseSlot: (() => void) | undefined;
      this.#held = {
        get released() {
          return released;
        },
        attach: (fn) => {
          releaseSlot = fn;
          if (released) fn();
        },
        release: () => {
          if (released) return;
          released = true;
          releaseSlot?.();
          if (this.#settled) this.#end("success", undefined);
        },
      };
    }
    return this.#held.release;
  }

  #end(outcome: Outcome, error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const core = this.#core;
    core.active.delete(this as Call<unknown>);
    if (this.#totalEntry) core.deadlines.cancel(this.#totalEntry);
    if (this.#onCallAbort) this.callSignal?.removeEventListener("abort", this.#onCallAbort);
    const durationMs = core.clock.now() - this.#startedAt;
    const u = this.#usage;
    const cost = u.costUsd ?? (outcome === "success" ? (this.#reservation?.amountUsd ?? 0) : 0);
    if (this.#reservation && core.budget) {
      const reservation = this.#reservation;
      this.#reservation = undefined;
      void Promise.resolve(core.budget.settle(reservation, cost)).catch(() => {});
    }
    if (cost > 0) {
      core.stats.creditsSpentUsd += cost;
      core.telemetry.creditsSpent(this.#attrs, cost);
    }
    core.stats.settle(outcome, durationMs);
    const spanAttrs: Attributes = {
      [ATTR.SWARMGATE_ATTEMPTS]: this.#attempts,
      [ATTR.SWARMGATE_THROTTLE_WAIT]: this.#throttleWaitMs / 1000,
      [ATTR.SWARMGATE_REQUEST_CLASS]: this.#requestClass,
      [ATTR.SWARMGATE_QUOTA_REMAINING]: core.gates.get(this.#requestClass)?.lastRemaining ?? -1,
    };
    if (cost > 0) spanAttrs[ATTR.SWARMGATE_COST_USD] = cost;
    if (core.breakers && this.#span.isRecording()) {
      const key = this.#breakerKey();
      spanAttrs[ATTR.SWARMGATE_BREAKER_KEY] = key;
      const state = core.breakers.states()[key];
      if (state) spanAttrs[ATTR.SWARMGATE_BREAKER_STATE] = state;
    }
    if (u.inputTokens > 0) spanAttrs[ATTR.GEN_AI_USAGE_INPUT_TOKENS] = u.inputTokens;
    if (u.outputTokens > 0) spanAttrs[ATTR.GEN_AI_USAGE_OUTPUT_TOKENS] = u.outputTokens;
    if (u.responseModel) spanAttrs[ATTR.GEN_AI_RESPONSE_MODEL] = u.responseModel;
    core.telemetry.endCall(this.#span, this.#attrs, outcome, durationMs, spanAttrs, error);
    core.events.emit("callEnd", { outcome, durationMs, attempts: this.#attempts, info: this.#info, error });
  }
}
