import type { ResponseLike, UsageReport } from "./attempt-context.js";
import type { CallHost } from "./call-host.js";
import type { CallInfo } from "./call-info.js";
import { CallReporter } from "./call-reporter.js";
import { CallView } from "./call-view.js";
import { classifyError, type ErrorVerdict } from "./classify.js";
import type { PolicyContext, UsageTotals } from "./policy.js";

type Usage = { -readonly [K in keyof UsageTotals]: UsageTotals[K] };

/**
 * @internal The parts of a call's {@link PolicyContext} that need no attempt: its clock
 * reading, deadline, classification, retry hint, usage and sleeping. {@link Call} adds the
 * attempts and the settling.
 */
export abstract class CallContext extends CallReporter {
  readonly callSignal: AbortSignal | undefined;
  estimatedCostUsd: number | undefined;
  protected readonly startedAt: number;
  protected readonly totalTimeoutMs: number;
  readonly #deadline: number;
  // The clock reading of the synchronous stretch that starts the call; NaN once it is over.
  protected tick: number;
  protected wakeSleep: (() => void) | undefined;
  #hintMs: number | undefined;
  #usage: Usage | undefined;
  #lastError: unknown;
  #lastVerdict: ErrorVerdict | undefined;

  constructor(host: CallHost, info: CallInfo) {
    super(host, info);
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

  now(): number {
    return Number.isNaN(this.tick) ? this.host.clock.now() : this.tick;
  }

  classify(error: unknown): ErrorVerdict {
    if (error === this.#lastError && this.#lastVerdict) return this.#lastVerdict;
    const verdict = this.host.classifyError?.(error) ?? classifyError(error, !!this.callSignal?.aborted);
    this.#lastError = error;
    this.#lastVerdict = verdict;
    return verdict;
  }

  takeRetryHint(): number | undefined {
    const hint = this.#hintMs;
    this.#hintMs = undefined;
    return hint;
  }

  /** Feeds a response's headers to the policies; keeps the wait it asks for (the retry's hint). */
  observe(response: ResponseLike): void {
    const hint = this.host.feedback(response, this.requestClass);
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

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = this.host.clock.setTimeout(() => {
        this.wakeSleep = undefined;
        resolve();
      }, ms);
      this.wakeSleep = () => {
        this.host.clock.clearTimeout(handle);
        this.wakeSleep = undefined;
        resolve();
      };
    });
  }

  withInfo(changes: Partial<CallInfo>): PolicyContext {
    return new CallView(this as unknown as ConstructorParameters<typeof CallView>[0], {
      ...this.info,
      ...changes,
    });
  }
}
