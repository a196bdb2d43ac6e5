import {
  type Attributes,
  type AttributeValue,
  type Context,
  ROOT_CONTEXT,
  type Span,
  trace,
} from "@opentelemetry/api";
import { statusOf } from "./classify.js";
import { isSwarmgateError } from "./errors.js";
import { redact } from "./redact.js";

// Span attributes given by the user (agent and conversation ids) are free text: a token
// pasted into one must not reach an exporter.
export function redactAttributes(attrs: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attrs)) {
    out[key] = (typeof value === "string" ? redact(value) : value) as AttributeValue;
  }
  return out;
}

// Swarmgate errors that stand for the upstream's last answer (a 429 that outlived its
// retries, a 402): their `cause` carries its status.
const CARRIES_STATUS: ReadonlySet<unknown> = new Set(["throttled", "budget_exceeded"]);

function causeStatus(error: object): number | undefined {
  let e: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const status = statusOf(e);
    if (status !== undefined) return status;
    e = (e as { cause?: unknown }).cause;
  }
  return (error as { details?: { status?: unknown } }).details?.status as number | undefined;
}

/**
 * `error.type` on spans: the HTTP status of the call's last answer (also behind a
 * `ThrottledError` or `BudgetExceededError` it caused: a 429 that outlived its retries is
 * `429`), else the swarmgate code, else the error's class name, else `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "_OTHER";
  try {
    const status = statusOf(error);
    if (status !== undefined) return String(status);
    const e = error as { code?: unknown; name?: unknown };
    if (CARRIES_STATUS.has(e.code) && isSwarmgateError(error)) {
      const carried = causeStatus(error);
      if (typeof carried === "number" && carried >= 100 && carried < 600) return String(carried);
    }
    if (typeof e.code === "string" && /^[a-z_]+$/.test(e.code)) return e.code;
    return typeof e.name === "string" && e.name ? e.name : "_OTHER";
  } catch {
    return "_OTHER"; // a getter that throws, a revoked proxy
  }
}

// The `error.type` values metrics keep: swarmgate codes and well-known error classes.
const KNOWN_ERROR_TYPES: ReadonlySet<string> = new Set([
  ...["budget_exceeded", "circuit_open", "queue_full", "throttled", "timeout", "upstream", "closed"],
  ...["store_unavailable", "policy", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError"],
  ...["AggregateError", "AbortError", "TimeoutError", "DOMException", "HuggingFaceApiError"],
  ...["InferenceClientError", "InferenceClientInputError", "InferenceClientProviderApiError"],
  ...["InferenceClientHubApiError", "InferenceClientProviderOutputError"],
]);

/** `error.type` on metrics: an HTTP status or a known type as on spans, anything else `_OTHER`. */
export function metricErrorType(type: string): string {
  return KNOWN_ERROR_TYPES.has(type) || /^[1-5]\d\d$/.test(type) ? type : "_OTHER";
}

// The API's key of the active span (`createContextKey` is `Symbol.for(description)`).
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

/**
 * A context holding one span and nothing else: what `trace.setSpan(ROOT_CONTEXT, span)`
 * holds, without the Map it copies for every point (a measurable share of a recorded call).
 */
class SpanOnlyContext implements Context {
  readonly #span: Span;
  constructor(span: Span) {
    this.#span = span;
  }
  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.#span : undefined;
  }
  setValue(key: symbol, value: unknown): Context {
    return trace.setSpan(ROOT_CONTEXT, this.#span).setValue(key, value);
  }
  deleteValue(key: symbol): Context {
    return key === SPAN_KEY ? ROOT_CONTEXT : this;
  }
}

// Should an API ever name its key otherwise, the SDK's own context is used.
const probe = trace.wrapSpanContext({ traceId: "1".repeat(32), spanId: "1".repeat(16), traceFlags: 1 });
const spanOnly = trace.getSpan(new SpanOnlyContext(probe)) === probe;

/** @internal A recording span's context, for exemplars: a histogram point recorded with it links to the trace. */
export const exemplarContext = (span: Span): Context | undefined =>
  span.isRecording() ? (spanOnly ? new SpanOnlyContext(span) : trace.setSpan(ROOT_CONTEXT, span)) : undefined;

/** @internal The `exception` event of a failed call, its message and stack redacted. */
export function recordException(span: Span, error: unknown): void {
  if (typeof error !== "object" || error === null) {
    span.recordException(redact(String(error)));
    return;
  }
  // No `code`: the SDK would make it exception.type, which names the class.
  const e = error as { name?: unknown; message?: unknown; stack?: unknown };
  span.recordException({
    name: typeof e.name === "string" ? e.name : "Error",
    message: redact(String(e.message ?? "")),
    ...(typeof e.stack === "string" ? { stack: redact(e.stack) } : {}),
  });
}
