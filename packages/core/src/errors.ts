import type { BodyHint } from "./body-hint.js";
import { redact, redactError } from "./redact.js";

const marker = Symbol.for("swarmgate.error");
const inspectCustom = Symbol.for("nodejs.util.inspect.custom");
type Inspect = (value: unknown, options?: object) => string;
const inspecting = new WeakSet<object>();

/** Stable machine-readable codes of every {@link SwarmgateError}. */
export type SwarmgateErrorCode =
  | "budget_exceeded"
  | "circuit_open"
  | "queue_full"
  | "throttled"
  | "timeout"
  | "upstream"
  | "closed"
  | "store_unavailable"
  | "policy";

/**
 * The base of every error swarmgate throws. Each carries a stable string `code` and the
 * `cause`; no credential reaches its message, stack, cause chain or `util.inspect()` output
 * (they pass through {@link redact}).
 * Use {@link isSwarmgateError} rather than `instanceof`: it works across two copies of the
 * package in one process.
 */
export abstract class SwarmgateError extends Error {
  abstract readonly code: SwarmgateErrorCode;
  /** Milliseconds after which trying again may succeed, when known. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number | undefined }) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: redactError(options.cause) });
    this.retryAfterMs = options?.retryAfterMs;
    Object.defineProperty(this, marker, { value: true });
  }

  // `console.log(error)` prints fields a subclass or a cause carries (a Response's headers):
  // whatever Node would print is redacted as one text.
  [inspectCustom](depth: number, options: object, inspect?: Inspect): unknown {
    if (typeof inspect !== "function" || inspecting.has(this)) return this;
    inspecting.add(this);
    try {
      return redact(inspect(this, { ...options, depth }));
    } finally {
      inspecting.delete(this);
    }
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** True for any error thrown by swarmgate, whichever copy of the package threw it. */
export function isSwarmgateError(error: unknown): error is SwarmgateError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}

function hasCode<C extends SwarmgateErrorCode>(error: unknown, code: C): boolean {
  return isSwarmgateError(error) && error.code === code;
}

/** The credit budget cannot cover the call, or the upstream answered 402 (credits exhausted). Never retried. */
export class BudgetExceededError extends SwarmgateError {
  readonly code = "budget_exceeded" as const;
  constructor(
    message: string,
    readonly details: {
      readonly requestedUsd?: number;
      readonly remainingUsd?: number;
      readonly status?: number;
    } = {},
    options?: { cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(message, options);
  }
}

/** The circuit breaker for this upstream is open: the call failed fast without being sent. */
export class CircuitOpenError extends SwarmgateError {
  readonly code = "circuit_open" as const;
  constructor(
    readonly breakerKey: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(`Circuit breaker "${breakerKey}" is open; the call was not sent`, options);
  }
}

/** The concurrency queue is at its bound (`concurrency.maxQueue`). */
export class QueueFullError extends SwarmgateError {
  readonly code = "queue_full" as const;
  constructor(readonly maxQueue: number) {
    super(`The concurrency queue is full (${maxQueue} calls waiting)`);
  }
}

/**
 * A quota permit would not be available before the call's deadline, or the upstream kept
 * answering 429 until the retries ran out.
 */
export class ThrottledError extends SwarmgateError {
  readonly code = "throttled" as const;
  constructor(
    message: string,
    readonly requestClass: string,
    options?: { cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(message, options);
  }
}

/** An attempt (`scope: "attempt"`) or the whole call (`scope: "total"`) ran out of time. */
export class TimeoutError extends SwarmgateError {
  readonly code = "timeout" as const;
  constructor(
    readonly scope: "attempt" | "total",
    readonly timeoutMs: number,
  ) {
    super(`The ${scope === "attempt" ? "attempt" : "call"} timed out after ${timeoutMs} ms`);
  }
}

/**
 * An HTTP answer that was not a success. Adapters throw it (or wrap the client's error in
 * it) so that any layer can classify it by its top-level `status`.
 */
export class UpstreamError extends SwarmgateError {
  readonly code = "upstream" as const;
  constructor(
    message: string,
    readonly status: number,
    options?: {
      cause?: unknown;
      retryAfterMs?: number | undefined;
      requestId?: string | undefined;
      /** What the answer's body said (see `readBodyHint`): a wait, or a model still loading. */
      bodyHint?: BodyHint | undefined;
    },
  ) {
    const hint = options?.bodyHint;
    const fromBody = options?.retryAfterMs === undefined && hint?.retryAfterMs !== undefined;
    super(message, { ...options, retryAfterMs: options?.retryAfterMs ?? hint?.retryAfterMs });
    this.requestId = options?.requestId;
    this.loading = hint?.loading === true;
    this.hintFromBody = fromBody;
  }
  /** The upstream's request id, when it sent one. */
  readonly requestId: string | undefined;
  /** A 503 whose body said the model is loading (a cold start). */
  readonly loading: boolean;
  /** `retryAfterMs` comes from the body, in the server's own seconds (see `headerTimeScale`). */
  readonly hintFromBody: boolean;
}

/** The governor was closed while the call was waiting, or before it started. */
export class GovernorClosedError extends SwarmgateError {
  readonly code = "closed" as const;
  constructor(name: string) {
    super(`Governor "${name}" is closed`);
  }
}

/**
 * A policy broke the pipeline's contract (it called `next` twice, or made a second attempt
 * while the first was still running). The call settles with it, once; never retried.
 */
export class PolicyError extends SwarmgateError {
  readonly code = "policy" as const;
  constructor(
    readonly policy: string,
    message: string,
  ) {
    super(`Policy "${policy}" ${message}`);
  }
}

/** True when `error` is a {@link BudgetExceededError}. */
export const isBudgetExceededError = (error: unknown): error is BudgetExceededError =>
  hasCode(error, "budget_exceeded");
/** True when `error` is a {@link CircuitOpenError}. */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError =>
  hasCode(error, "circuit_open");
/** True when `error` is a {@link QueueFullError}. */
export const isQueueFullError = (error: unknown): error is QueueFullError => hasCode(error, "queue_full");
/** True when `error` is a {@link ThrottledError}. */
export const isThrottledError = (error: unknown): error is ThrottledError => hasCode(error, "throttled");
/** True when `error` is a {@link TimeoutError}. */
export const isTimeoutError = (error: unknown): error is TimeoutError => hasCode(error, "timeout");
/** True when `error` is an {@link UpstreamError}. */
export const isUpstreamError = (error: unknown): error is UpstreamError => hasCode(error, "upstream");
/** True when `error` is a {@link PolicyError}. */
export const isPolicyError = (error: unknown): error is PolicyError => hasCode(error, "policy");
