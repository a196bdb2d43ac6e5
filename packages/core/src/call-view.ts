import type { CallInfo } from "./call-info.js";
import type { ErrorVerdict } from "./classify.js";
import type { PipelineContext, Recovering } from "./compose.js";
import type {
  AttemptEndListener,
  CallEndListener,
  Next,
  PolicyContext,
  Reporter,
  UsageTotals,
} from "./policy.js";
import type { ServerFeedback } from "./server-feedback.js";

/**
 * @internal The same call seen with other call info (`ctx.withInfo(changes)`): a routing
 * policy sends one attempt to another provider this way. Everything but the info is the
 * call's own.
 */
export class CallView implements PipelineContext {
  readonly info: CallInfo;
  readonly requestClass: string;
  readonly #call: PipelineContext;

  constructor(call: PipelineContext, info: CallInfo) {
    this.#call = call;
    this.info = info;
    this.requestClass = info.requestClass ?? call.requestClass;
  }

  get attempt(): number {
    return this.#call.attempt;
  }
  get signal(): AbortSignal | undefined {
    return this.#call.signal;
  }
  get deadline(): number {
    return this.#call.deadline;
  }
  get settled(): boolean {
    return this.#call.settled;
  }
  get cancelReason(): unknown {
    return this.#call.cancelReason;
  }
  get reporter(): Reporter {
    return this.#call.reporter;
  }
  get usage(): UsageTotals | undefined {
    return this.#call.usage;
  }
  get retryHintMs(): number | undefined {
    return this.#call.retryHintMs;
  }
  get feedback(): ServerFeedback | undefined {
    return this.#call.feedback;
  }
  get estimatedCostUsd(): number | undefined {
    return this.#call.estimatedCostUsd;
  }
  set estimatedCostUsd(usd: number | undefined) {
    this.#call.estimatedCostUsd = usd;
  }
  now(): number {
    return this.#call.now();
  }
  classify(error: unknown): ErrorVerdict {
    return this.#call.classify(error);
  }
  takeRetryHint(): number | undefined {
    return this.#call.takeRetryHint();
  }
  sleep(ms: number, until?: PromiseLike<unknown>): Promise<void> {
    return this.#call.sleep(ms, until);
  }
  onAttemptEnd<K>(listener: AttemptEndListener<K>, token: K): void {
    this.#call.onAttemptEnd(listener, token);
  }
  onCallEnd<K>(listener: CallEndListener<K>, token: K): void {
    this.#call.onCallEnd(listener, token);
  }
  armAttemptTimeout(ms: number): void {
    this.#call.armAttemptTimeout(ms);
  }
  withInfo(changes: Partial<CallInfo>): PolicyContext {
    return new CallView(this.#call, { ...this.info, ...changes });
  }
  runAttempt<T>(inner: Next<T>, ctx: PolicyContext): Promise<T> {
    return this.#call.runAttempt(inner, ctx);
  }
  invoke<T>(ctx: PolicyContext): Promise<T> {
    return this.#call.invoke(ctx);
  }
  recoverWith(policy: Recovering, next: Next<unknown>): void {
    this.#call.recoverWith(policy, next);
  }
}
