import type { CallInfo } from "./call-info.js";
import type { HeadersLike } from "./server-feedback.js";

/** Token usage and cost of one call, as reported by the code that made it. */
export interface UsageReport {
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  /** What the call cost, in USD; reconciles the budget reservation. */
  readonly costUsd?: number | undefined;
  /** The model that answered (`gen_ai.response.model`). */
  readonly responseModel?: string | undefined;
}

/**
 * What an answer said about itself, for the call's span (`gen_ai.response.*`) and where it
 * came from (`server.*`, also on the GenAI metrics). Each report overrides the fields it sets.
 */
export interface ResponseReport {
  /** `gen_ai.response.id`: the answer's id (`chatcmpl-…`). */
  readonly id?: string | undefined;
  /** `gen_ai.response.model`: the model that answered (wins over `reportUsage({ responseModel })`). */
  readonly model?: string | undefined;
  /** `gen_ai.response.finish_reasons`: one per choice (`stop`, `length`, `tool_calls`, …). */
  readonly finishReasons?: readonly string[] | undefined;
  /** `server.address`: the host the attempt was sent to. */
  readonly serverAddress?: string | undefined;
  /** `server.port`: its port (443 for `https:` without one). */
  readonly serverPort?: number | undefined;
}

/** A response-like object: anything with a `status` and `headers`. */
export interface ResponseLike {
  readonly status?: number;
  readonly headers?: HeadersLike | undefined;
}

/** What the function given to `governor.run` receives on each attempt. */
export interface AttemptContext {
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /**
   * The call info this attempt runs with: the caller's, unless a policy changed it for this
   * attempt (a routing policy sending it to another provider, say).
   */
  readonly info: CallInfo;
  /**
   * Aborts when the attempt times out, the call's signal aborts, or the governor closes.
   * Pass it to `fetch` (created on first read, so calls that ignore it pay nothing).
   */
  readonly signal: AbortSignal;
  /** Reports a response's status and headers: `RateLimit`, `RateLimit-Policy`, `Retry-After`. */
  observe(response: ResponseLike): void;
  /** Reports token usage and cost (added up over attempts). */
  reportUsage(usage: UsageReport): void;
  /**
   * Reports what an answer said about itself (id, model, finish reasons) and the server it
   * came from: attributes of the call's span; the server also labels the GenAI metrics.
   * A bad value throws a `TypeError`.
   *
   * @example
   * ctx.reportResponse({ id: body.id, model: body.model, finishReasons: body.choices.map((c) => c.finish_reason) });
   */
  reportResponse(response: ResponseReport): void;
  /**
   * Keeps the concurrency slot (and the call's span open) after the function returns, for a
   * stream that is still being read. Call the returned function when the stream ends or is
   * abandoned; the slot is released anyway at the call's total deadline.
   */
  holdSlot(): () => void;
}

/** The function a call runs on each attempt. */
export type Attempt<T> = (context: AttemptContext) => Promise<T> | T;

/** The call-side hooks an attempt context reports to. */
export interface AttemptHost {
  readonly callSignal: AbortSignal | undefined;
  observe(response: ResponseLike, info: CallInfo): void;
  reportUsage(usage: UsageReport): void;
  reportResponse(response: ResponseReport): void;
  holdSlot(): () => void;
}

/** @internal The context of one attempt; its abort controller exists only once `signal` is read. */
export class AttemptContextImpl implements AttemptContext {
  readonly attempt: number;
  readonly info: CallInfo;
  readonly #host: AttemptHost;
  #controller: AbortController | undefined;
  #pendingReason: unknown;
  #aborted = false;
  #unlink: (() => void) | undefined;

  #observe: ((response: ResponseLike) => void) | undefined;
  #reportUsage: ((usage: UsageReport) => void) | undefined;
  #reportResponse: ((response: ResponseReport) => void) | undefined;
  #holdSlot: (() => () => void) | undefined;

  constructor(attempt: number, host: AttemptHost, info: CallInfo) {
    this.attempt = attempt;
    this.info = info;
    this.#host = host;
  }

  // Bound on first read, so that callers can destructure (`({ signal, observe }) => …`) and
  // calls that use none of them allocate nothing.
  get observe(): (response: ResponseLike) => void {
    const host = this.#host;
    const info = this.info;
    this.#observe ??= (response) => host.observe(response, info);
    return this.#observe;
  }

  get reportUsage(): (usage: UsageReport) => void {
    const host = this.#host;
    this.#reportUsage ??= (usage) => host.reportUsage(usage);
    return this.#reportUsage;
  }

  get reportResponse(): (response: ResponseReport) => void {
    const host = this.#host;
    this.#reportResponse ??= (response) => host.reportResponse(response);
    return this.#reportResponse;
  }

  get holdSlot(): () => () => void {
    const host = this.#host;
    this.#holdSlot ??= () => host.holdSlot();
    return this.#holdSlot;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#pendingReason);
      const parent = this.#host.callSignal;
      if (parent) {
        if (parent.aborted) controller.abort(parent.reason);
        else {
          const onAbort = () => controller.abort(parent.reason);
          parent.addEventListener("abort", onAbort, { once: true });
          this.#unlink = () => parent.removeEventListener("abort", onAbort);
        }
      }
    }
    return this.#controller.signal;
  }

  /** Aborts the attempt's signal (if anyone read it). */
  abort(reason: unknown): void {
    this.#aborted = true;
    this.#pendingReason = reason;
    this.#controller?.abort(reason);
  }

  /** Removes the link to the call's signal. */
  dispose(): void {
    this.#unlink?.();
    this.#unlink = undefined;
  }
}
