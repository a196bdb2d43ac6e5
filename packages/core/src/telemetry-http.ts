import {
  type Attributes,
  type Histogram,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from "@opentelemetry/api";
import type { Clock } from "./clock.js";
import { redact } from "./redact.js";
import { ATTR, SPAN } from "./semconv.js";

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
  /** The attempt's span (a no-op span when no SDK records). */
  readonly span: Span;
  /**
   * Records prompt and completion text on the attempt's span, only when the governor's
   * `telemetry.captureContent` is on; otherwise does nothing. Values are JSON-encoded and redacted.
   */
  recordContent(content: { readonly input?: unknown; readonly output?: unknown }): void;
  /** Ends the span and records the duration. Idempotent: only the first call counts. */
  end(result?: HttpAttemptResult): void;
}

interface Endpoint {
  readonly address: string | undefined;
  readonly port: number | undefined;
  readonly url: string | undefined;
}

function endpointOf(url: string | URL): Endpoint {
  try {
    const u = typeof url === "string" ? new URL(url) : url;
    const port = u.port
      ? Number(u.port)
      : u.protocol === "https:"
        ? 443
        : u.protocol === "http:"
          ? 80
          : undefined;
    // Query strings and user info may carry credentials: only origin and path are kept.
    return { address: u.hostname, port, url: redact(`${u.protocol}//${u.host}${u.pathname}`) };
  } catch {
    return { address: undefined, port: undefined, url: undefined };
  }
}

/** @internal Starts an HTTP attempt span as a child of the active context (the call's span). */
export function startHttpAttempt(
  tracer: Tracer,
  duration: Histogram,
  clock: Clock,
  governor: string,
  captureContent: boolean,
  errorTypeOf: (error: unknown) => string,
  info: HttpAttemptInfo,
): HttpAttempt {
  const method = String(info.method || "GET").toUpperCase();
  const endpoint = endpointOf(info.url);
  const startedAt = clock.now();
  const spanAttrs: Attributes = { [ATTR.HTTP_REQUEST_METHOD]: method };
  // The HTTP conventions set resend_count only on resends, not on the first attempt.
  if (info.attempt > 1) spanAttrs[ATTR.HTTP_REQUEST_RESEND_COUNT] = info.attempt - 1;
  if (endpoint.address) spanAttrs[ATTR.SERVER_ADDRESS] = endpoint.address;
  if (endpoint.port !== undefined) spanAttrs[ATTR.SERVER_PORT] = endpoint.port;
  if (endpoint.url) spanAttrs[ATTR.URL_FULL] = endpoint.url;
  const span = tracer.startSpan(SPAN.httpAttempt(method), {
    kind: SpanKind.CLIENT,
    attributes: info.attributes ? { ...info.attributes, ...spanAttrs } : spanAttrs,
  });
  let ended = false;
  return {
    span,
    recordContent(content) {
      if (!captureContent || ended || !span.isRecording()) return;
      try {
        if (content.input !== undefined)
          span.setAttribute(ATTR.GEN_AI_INPUT_MESSAGES, redact(JSON.stringify(content.input)));
        if (content.output !== undefined)
          span.setAttribute(ATTR.GEN_AI_OUTPUT_MESSAGES, redact(JSON.stringify(content.output)));
      } catch {
        // unserialisable content is not worth failing the call for
      }
    },
    end(result = {}) {
      if (ended) return;
      ended = true;
      try {
        const metricAttrs: Attributes = {
          [ATTR.HTTP_REQUEST_METHOD]: method,
          [ATTR.SWARMGATE_GOVERNOR]: governor,
        };
        if (endpoint.address) metricAttrs[ATTR.SERVER_ADDRESS] = endpoint.address;
        if (endpoint.port !== undefined) metricAttrs[ATTR.SERVER_PORT] = endpoint.port;
        let errorType: string | undefined;
        if (result.status !== undefined) {
          metricAttrs[ATTR.HTTP_RESPONSE_STATUS_CODE] = result.status;
          if (result.status >= 400) errorType = String(result.status);
        }
        if (errorType === undefined && result.error !== undefined) errorType = errorTypeOf(result.error);
        if (errorType) metricAttrs[ATTR.ERROR_TYPE] = errorType;
        duration.record(Math.max(0, clock.now() - startedAt) / 1000, metricAttrs);
        if (span.isRecording()) {
          if (result.status !== undefined) span.setAttribute(ATTR.HTTP_RESPONSE_STATUS_CODE, result.status);
          if (errorType) {
            span.setAttribute(ATTR.ERROR_TYPE, errorType);
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
