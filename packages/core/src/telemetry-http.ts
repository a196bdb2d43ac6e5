import {
  type Attributes,
  context,
  type Histogram,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { Clock } from "./clock.js";
import { transportContext } from "./http-attempt-context.js";
import { instrumentationMakesHttpSpans } from "./http-instrumentation.js";
import { redact } from "./redact.js";
import { ATTR, SPAN } from "./semconv.js";
import { serverOfUrl } from "./server-of.js";
import { recordException } from "./telemetry-attributes.js";
import type { CallServer } from "./telemetry-labels.js";
import type { HttpSpans } from "./telemetry-options.js";

/** What an adapter says about one HTTP attempt it is about to send. */
export interface HttpAttemptInfo {
  /** `GET`, `POST`, … */
  readonly method: string;
  /** The request URL; its query and credentials never reach telemetry. */
  readonly url: string | URL;
  /** The governor's attempt number (1 for the first): `http.request.resend_count` is `attempt - 1`, set from the second on. */
  readonly attempt: number;
  /** Extra span attributes (never metric attributes). */
  readonly attributes?: Attributes;
}

/** How an HTTP attempt ended. */
export interface HttpAttemptResult {
  /** The response status, when a response arrived. */
  readonly status?: number;
  /** The error, when the attempt failed without a response (network error, abort, timeout). */
  readonly error?: unknown;
}

/** The child CLIENT span of one HTTP attempt, and its `http.client.request.duration`. */
export interface HttpAttempt {
  /**
   * The attempt's span: a no-op span when no SDK records, or when an HTTP instrumentation
   * makes this request's span ({@link HttpAttempt.instrumented}).
   */
  readonly span: Span;
  /**
   * True when an HTTP auto-instrumentation makes this request's CLIENT span, records its
   * `http.client.request.duration` and injects its `traceparent` (`telemetry.httpSpans`);
   * swarmgate then records none of them, and `run` and `inject` leave the call's context as it is.
   */
  readonly instrumented: boolean;
  /**
   * Runs the transport call (`fetch`, …) with the attempt's span as the active span and
   * tracing suppressed underneath it: an HTTP instrumentation inside makes no second span
   * and writes no `traceparent` over the attempt's (`isGovernedHttpAttempt()` tells its
   * ignore hook to skip its duration metric too). Returns what `send` returns and throws
   * what it throws.
   */
  run<T>(send: () => T): T;
  /**
   * Writes the attempt's trace context into the request's headers through the global
   * propagator (`propagation.inject`: W3C `traceparent` and `tracestate` with the SDK's
   * defaults), unless an HTTP instrumentation will. Inject into a copy of the caller's
   * headers, one per attempt. Never throws.
   *
   * @example
   * const headers = { ...callerHeaders };
   * http.inject(headers); // a plain object; pass a setter for anything else
   * const response = await http.run(() => fetch(url, { headers, signal }));
   */
  inject<Carrier>(carrier: Carrier, setter?: TextMapSetter<Carrier>): void;
  /**
   * Records prompt and completion text on the attempt's span, only when the governor's
   * `telemetry.captureContent` is on; otherwise does nothing. Values are JSON-encoded and redacted.
   */
  recordContent(content: { readonly input?: unknown; readonly output?: unknown }): void;
  /** Ends the span and records the duration. Idempotent: only the first call counts. */
  end(result?: HttpAttemptResult): void;
}

interface Endpoint {
  readonly server: CallServer | undefined;
  readonly url: string | undefined;
}

function endpointOf(url: string | URL): Endpoint {
  try {
    const u = typeof url === "string" ? new URL(url) : url;
    // Query strings and user info may carry credentials: only origin and path are kept.
    return { server: serverOfUrl(u), url: redact(`${u.protocol}//${u.host}${u.pathname}`) };
  } catch {
    return { server: undefined, url: undefined };
  }
}

function writeContent(span: Span, content: { readonly input?: unknown; readonly output?: unknown }): void {
  try {
    if (content.input !== undefined)
      span.setAttribute(ATTR.GEN_AI_INPUT_MESSAGES, redact(JSON.stringify(content.input)));
    if (content.output !== undefined)
      span.setAttribute(ATTR.GEN_AI_OUTPUT_MESSAGES, redact(JSON.stringify(content.output)));
  } catch {
    // unserialisable content is not worth failing the call for
  }
}

const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

// The instrumentation makes the span, the metric and the headers. The call's span is active
// (governor.run), so the instrumentation's span is its child; content goes on the call span.
function instrumentedAttempt(captureContent: boolean): HttpAttempt {
  const callSpan = trace.getActiveSpan();
  return {
    span: NO_SPAN,
    instrumented: true,
    run: (send) => send(),
    inject() {},
    recordContent(content) {
      if (captureContent && callSpan?.isRecording()) writeContent(callSpan, content);
    },
    end() {},
  };
}

/** @internal What `startHttpAttempt` reads of the governor's `telemetry` options. */
export interface HttpAttemptOptions {
  readonly captureContent: boolean;
  readonly httpSpans: HttpSpans;
}

/** @internal Starts an HTTP attempt span as a child of the active context (the call's span). */
export function startHttpAttempt(
  tracer: Tracer,
  duration: Histogram,
  clock: Clock,
  governor: string,
  options: HttpAttemptOptions,
  errorTypeOf: (error: unknown) => string,
  info: HttpAttemptInfo,
): HttpAttempt {
  const captureContent = options.captureContent;
  if (instrumentationMakesHttpSpans(options.httpSpans)) return instrumentedAttempt(captureContent);
  const method = String(info.method || "GET").toUpperCase();
  const endpoint = endpointOf(info.url);
  const startedAt = clock.now();
  const spanAttrs: Attributes = { [ATTR.HTTP_REQUEST_METHOD]: method };
  // The HTTP conventions set resend_count only on resends, not on the first attempt.
  if (info.attempt > 1) spanAttrs[ATTR.HTTP_REQUEST_RESEND_COUNT] = info.attempt - 1;
  const server = endpoint.server;
  if (server) spanAttrs[ATTR.SERVER_ADDRESS] = server.address;
  if (server?.port !== undefined) spanAttrs[ATTR.SERVER_PORT] = server.port;
  if (endpoint.url) spanAttrs[ATTR.URL_FULL] = endpoint.url;
  const span = tracer.startSpan(SPAN.httpAttempt(method), {
    kind: SpanKind.CLIENT,
    attributes: info.attributes ? { ...info.attributes, ...spanAttrs } : spanAttrs,
  });
  const parent = context.active();
  // No SDK and no incoming trace: nothing to make active, nothing for the propagator to add.
  const traced = span.isRecording() || trace.isSpanContextValid(span.spanContext());
  const attemptContext = traced ? trace.setSpan(parent, span) : parent;
  let ended = false;
  return {
    span,
    instrumented: false,
    // Tracing suppressed underneath: an HTTP instrumentation makes no second span and
    // injects no `traceparent` over this attempt's (docs/telemetry.md).
    run: (send) => context.with(transportContext(attemptContext), send),
    inject(carrier, setter) {
      try {
        propagation.inject(attemptContext, carrier, setter);
      } catch {
        // a failing propagator or carrier costs the trace headers, not the call
      }
    },
    recordContent(content) {
      if (captureContent && !ended && span.isRecording()) writeContent(span, content);
    },
    end(result = {}) {
      if (ended) return;
      ended = true;
      try {
        const metricAttrs: Attributes = {
          [ATTR.HTTP_REQUEST_METHOD]: method,
          [ATTR.SWARMGATE_GOVERNOR]: governor,
        };
        if (server) metricAttrs[ATTR.SERVER_ADDRESS] = server.address;
        if (server?.port !== undefined) metricAttrs[ATTR.SERVER_PORT] = server.port;
        let errorType: string | undefined;
        if (result.status !== undefined) {
          metricAttrs[ATTR.HTTP_RESPONSE_STATUS_CODE] = result.status;
          if (result.status >= 400) errorType = String(result.status);
        }
        if (errorType === undefined && result.error !== undefined) errorType = errorTypeOf(result.error);
        if (errorType) metricAttrs[ATTR.ERROR_TYPE] = errorType;
        // The attempt span's context: an exemplar of this point links to the attempt, not the call.
        duration.record(
          Math.max(0, clock.now() - startedAt) / 1000,
          metricAttrs,
          span.isRecording() ? attemptContext : undefined,
        );
        if (span.isRecording()) {
          if (result.status !== undefined) span.setAttribute(ATTR.HTTP_RESPONSE_STATUS_CODE, result.status);
          if (errorType) {
            span.setAttribute(ATTR.ERROR_TYPE, errorType);
            if (result.error !== undefined) recordException(span, result.error);
            const message = result.error === undefined ? undefined : (result.error as Error)?.message;
            span.setStatus({
              code: SpanStatusCode.ERROR,
              ...(message === undefined ? {} : { message: redact(String(message)) }),
            });
          }
        }
      } catch {
        // telemetry never throws into the user's call
      }
      span.end();
    },
  };
}
