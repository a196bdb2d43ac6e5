import type { ActiveCall } from "./active-calls.js";
import { type Attempt, AttemptContextImpl, type AttemptHost } from "./attempt-context.js";
import { AttemptRun, HeldSlot, type RunOwner } from "./attempt-run.js";
import { CallContext } from "./call-context.js";
import { callSpanAttributes, outcomeOf, type Told, tellEnd, upstreamError } from "./call-end.js";
import type { CallHost } from "./call-host.js";
import type { CallInfo } from "./call-info.js";
import { classifyError } from "./classify.js";
import type { PipelineContext } from "./compose.js";
import type { Deadline, Expirable } from "./deadline-queue.js";
import { PolicyError, TimeoutError } from "./errors.js";
import { isPromise } from "./is-promise.js";
import type { AttemptEndListener, CallEndListener, Next, PolicyContext } from "./policy.js";
import type { Outcome } from "./semconv.js";

/**
 * @internal One logical call: it settles exactly once, can be cancelled (signal, total
 * timeout, close), owns its span, and lets a stream hold its slot past its answer. What
 * happens between its start and its answer is the governor's pipeline of policies.
 */
export class Call<T>
  extends CallContext
  implements PipelineContext, AttemptHost, ActiveCall, Expirable, RunOwner
{
  readonly promise: Promise<T>;
  prevActive: ActiveCall | undefined;
  nextActive: ActiveCall | undefined;
  readonly #fn: Attempt<T>;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  #ended = false;
  #outcome: Outcome = "success";
  #cancelReason: unknown;
  #totalEntry: Deadline | undefined;
  #run: AttemptRun<unknown> | undefined;
  #attempt = 0;
  #sent = 0;
  #onCallAbort: (() => void) | undefined;
  #held: HeldSlot | undefined;
  // The first end listener inline (the budget's reservation), any others in a list.
  #endListener: Told[0] | undefined;
  #endToken: unknown;
  #atEnd: Told[] | undefined;

  constructor(host: CallHost, fn: Attempt<T>, info: CallInfo) {
    super(host, info);
    this.#fn = fn;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    host.stats.started++;
    host.active.add(this);
    if (Number.isFinite(this.totalTimeoutMs))
      this.#totalEntry = host.deadlines.add(this.totalTimeoutMs, this, this.startedAt);
    const signal = info.signal;
    if (signal) {
      if (signal.aborted) {
        this.cancel(signal.reason);
        return;
      }
      this.#onCallAbort = () => this.cancel(signal.reason);
      signal.addEventListener("abort", this.#onCallAbort, { once: true });
    }
    let answer: Promise<unknown>;
    try {
      answer = host.pipeline(this);
    } catch (error) {
      answer = Promise.reject(error);
    }
    this.tick = Number.NaN; // what follows runs after an await
    this.#await(answer);
  }

  // The call's one subscription to the pipeline's answer (a failure may go to a held retry).
  #await(answer: Promise<unknown>): void {
    answer.then(
      (value) => this.#succeed(value as T),
      (error: unknown) => this.#fail(error),
    );
  }

  get attempt(): number {
    return this.#attempt;
  }
  get settled(): boolean {
    return this.#settled;
  }
  get cancelReason(): unknown {
    return this.#cancelReason;
  }

  onAttemptEnd<K>(listener: AttemptEndListener<K>, token: K): void {
    if (this.#run) this.#run.listen(listener as AttemptEndListener<unknown>, token);
    else this.#whenEnded(listener as AttemptEndListener<unknown>, token);
  }

  onCallEnd<K>(listener: CallEndListener<K>, token: K): void {
    this.#whenEnded(listener as CallEndListener<unknown>, token);
  }

  // A listener that comes after the end (a reservation answered after a cancel) is told at once.
  #whenEnded(listener: Told[0], token: unknown): void {
    if (this.#ended) tellEnd(listener, token, this, this.#outcome, this.#cancelReason, 0);
    else if (this.#endListener === undefined) {
      this.#endListener = listener;
      this.#endToken = token;
    } else {
      this.#atEnd ??= [];
      this.#atEnd.push([listener, token]);
    }
  }

  armAttemptTimeout(ms: number): void {
    if (Number.isFinite(ms)) this.#run?.arm(ms, this.now());
  }

  runAttempt<R>(inner: Next<R>, ctx: PolicyContext): Promise<R> {
    if (this.#settled) return Promise.reject(this.#cancelReason);
    const previous = this.#run;
    if (previous && !previous.done) {
      if (previous.started) return Promise.reject(new PolicyError("retry", "overlapped two attempts"));
      previous.end(true, undefined); // refused before its function ran: what it held goes back
    }
    this.#run = new AttemptRun<unknown>(this, ++this.#attempt, ctx);
    this.forgetFeedback();
    try {
      return inner(ctx);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  invoke<R>(ctx: PolicyContext): Promise<R> {
    const run = this.#run as AttemptRun<R> | undefined;
    if (this.#settled) return Promise.reject(this.#cancelReason);
    if (!run || run.done)
      return Promise.reject(new PolicyError("pipeline", "reached the call outside an attempt"));
    // Credits may have run out (a 402 elsewhere) while this call waited: only a probe goes.
    const exhausted = this.host.creditsExhausted.admit(ctx.requestClass, this, this.now());
    if (exhausted) return Promise.reject(exhausted);
    this.#sent++;
    this.host.stats.attempts++;
    const actx = new AttemptContextImpl(run.number, this, ctx.info);
    run.ctx = actx;
    const promise = run.open();
    try {
      // The call's span is active inside the attempt: adapters' HTTP spans are its children.
      const fn = this.#fn as unknown as Attempt<R>;
      const result = this.recording ? this.host.telemetry.withSpan(this.span, () => fn(actx)) : fn(actx);
      if (!isPromise(result)) run.succeed(result);
      // A foreign thenable may throw, settle twice, or never: a native promise adopts it once.
      else
        (result instanceof Promise ? result : Promise.resolve(result)).then(
          (value) => run.succeed(value),
          (error: unknown) => run.rejected(upstreamError(this, error, ctx)),
        );
    } catch (error) {
      run.fail(upstreamError(this, error, ctx));
    }
    return promise;
  }

  /** @internal An attempt ended: tell its listeners, unless a stream holds its slot past the call's answer. */
  attemptFinished(run: AttemptRun<unknown>, failed: boolean): void {
    if (!failed && this.#held) this.#held.attach(() => run.release());
    else {
      run.release();
      this.#held = undefined;
    }
  }

  /** The total deadline passed: a stream still holding its slot gives it back; anything else times out. */
  expire(): void {
    this.#totalEntry = undefined;
    if (this.#settled) this.#held?.release();
    else this.cancel(new TimeoutError("total", this.totalTimeoutMs));
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
    this.#run?.fail(reason);
    this.wakeSleep?.();
    this.#reject(reason);
    const aborted = !!this.callSignal?.aborted && reason === this.callSignal.reason;
    this.#end(outcomeOf(reason, classifyError(reason, aborted)), reason);
  }

  #succeed(value: T): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(value);
    if (!this.#held || this.#held.released) this.#end("success", undefined);
  }

  #fail(error: unknown): void {
    const retried = this.#settled ? undefined : this.recover(error);
    if (retried) this.#await(retried);
    else if (!this.#settled) {
      this.#settled = true;
      this.#reject(error);
      this.#end(outcomeOf(error, this.classify(error)), error);
    }
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
    this.#outcome = outcome;
    // An attempt answered by a policy without the function (a refusal, a cached answer) ends with the call.
    if (this.#run && !this.#run.done) this.#run.end(outcome !== "success", error);
    const host = this.host;
    host.active.delete(this);
    if (this.#totalEntry) host.deadlines.cancel(this.#totalEntry);
    if (this.#onCallAbort) this.callSignal?.removeEventListener("abort", this.#onCallAbort);
    const durationMs = host.clock.now() - this.startedAt;
    const u = this.usage;
    const cost = u?.costUsd ?? (outcome === "success" ? (this.estimatedCostUsd ?? 0) : 0);
    if (this.#endListener) tellEnd(this.#endListener, this.#endToken, this, outcome, error, cost);
    if (this.#atEnd)
      for (const [listener, token] of this.#atEnd) tellEnd(listener, token, this, outcome, error, cost);
    if (cost > 0) {
      host.stats.creditsSpentUsd += cost;
      host.telemetry.creditsSpent(this.labels, cost);
    }
    host.stats.settle(outcome, durationMs);
    const tokens = u ? { input: u.inputTokens, output: u.outputTokens } : undefined;
    const attrs = this.recording
      ? callSpanAttributes(this, this.#sent, this.throttleWaitMs, cost, u, host.store, host.describers)
      : undefined;
    this.endSpan(outcome, durationMs, tokens, attrs, error);
    if (host.events.has("callEnd"))
      host.events.emit("callEnd", { outcome, durationMs, attempts: this.#sent, info: this.info, error });
  }
}
