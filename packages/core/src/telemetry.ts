import {
  type Attributes,
  type Context,
  context,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import type { CallLabels, CallTelemetry, GaugeSource } from "./call-telemetry.js";
import type { Clock } from "./clock.js";
import { redact } from "./redact.js";
import { ATTR, EVENT, type Outcome, type SemconvMode, type ThrottleSource } from "./semconv.js";
import {
  errorTypeOf,
  exemplarContext,
  metricErrorType,
  recordException,
  redactAttributes,
} from "./telemetry-attributes.js";
import { type HttpAttempt, type HttpAttemptInfo, startHttpAttempt } from "./telemetry-http.js";
import { createInstruments, type Instruments, observeGauges } from "./telemetry-instruments.js";
import {
  type CallMetricAttributes,
  type CallServer,
  LabelCache,
  type MetricLabels,
} from "./telemetry-labels.js";
import {
  type ResolvedTelemetryOptions,
  resolveTelemetryOptions,
  type TelemetryOptions,
} from "./telemetry-options.js";
import { endRetryWait, type RetryWait, recordThrottle, startRetryWait } from "./telemetry-wait.js";
import { VERSION } from "./version.js";

export type { CallLabels, CallTelemetry, GaugeSource } from "./call-telemetry.js";
export type { CallMetricAttributes, CallServer } from "./telemetry-labels.js";

const SCOPE = "@swarmgate/core";

/** The constructor's input: the governor's name, providers and clock, and the `telemetry` option. */
export interface GovernorTelemetryInit {
  readonly governor: string;
  readonly clock: Clock;
  readonly tracerProvider?: TracerProvider | undefined;
  readonly meterProvider?: MeterProvider | undefined;
  readonly options?: TelemetryOptions | undefined;
}

/**
 * The governor's instruments. Everything goes through `@opentelemetry/api`: with no SDK
 * installed it costs almost nothing, and no telemetry call ever throws into the user's call.
 */
export class GovernorTelemetry implements CallTelemetry {
  readonly tracer: Tracer;
  readonly semconv: SemconvMode;
  readonly captureContent: boolean;
  readonly #options: ResolvedTelemetryOptions;
  readonly #governor: string;
  readonly #clock: Clock;
  readonly #meter: Meter;
  readonly #i: Instruments;
  readonly #labels: LabelCache;

  constructor(init: GovernorTelemetryInit) {
    this.#options = resolveTelemetryOptions(init.options);
    this.semconv = this.#options.semconv;
    this.captureContent = this.#options.captureContent;
    this.#governor = init.governor;
    this.#clock = init.clock;
    this.#labels = new LabelCache(init.governor, this.#options.providerName, this.#options.models);
    this.tracer = (init.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
    this.#meter = (init.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.#i = createInstruments(this.#meter, this.semconv);
  }

  /** Registers the observable gauges; returns a function that unregisters them. */
  observe(source: GaugeSource): () => void {
    return observeGauges(this.#meter, this.#governor, source);
  }

  /** The cached metric labels of (operation, model, provider): pass them back to every hook. */
  labels(attrs: CallMetricAttributes): MetricLabels {
    return this.#labels.get(attrs);
  }

  /** Starts the CLIENT span of a logical call, child of the active context. */
  startCall(attrs: CallMetricAttributes, extra: Attributes | undefined): Span {
    const labels = this.#labels.get(attrs);
    const span = this.tracer.startSpan(labels.spanName, {
      kind: SpanKind.CLIENT,
      attributes: labels.spanAttrs,
    });
    if (extra && span.isRecording()) span.setAttributes(redactAttributes(extra));
    return span;
  }

  /** Runs `fn` with `span` as the active span, so that spans made inside are its children. */
  withSpan<T>(span: Span, fn: () => T): T {
    if (!span.isRecording()) return fn();
    return context.with(trace.setSpan(context.active(), span), fn);
  }

  /** Counts a retry; on a recording span, an event and the span of its delay (end it with {@link endRetryWait}). */
  retry(
    span: Span,
    attrs: CallMetricAttributes,
    retry: number,
    reason: string,
    delayMs: number,
  ): RetryWait | undefined {
    try {
      this.#i.retries.add(1, this.#labels.get(attrs).with(ATTR.SWARMGATE_RETRY_REASON, reason));
      if (!span.isRecording()) return undefined;
      span.addEvent(EVENT.RETRY, {
        [ATTR.HTTP_REQUEST_RESEND_COUNT]: retry,
        [ATTR.SWARMGATE_RETRY_REASON]: reason,
        [ATTR.SWARMGATE_RETRY_DELAY]: delayMs / 1000,
      });
      return startRetryWait(this.tracer, span, this.#clock, retry, reason, delayMs);
    } catch {
      return undefined; // telemetry never throws into the user's call
    }
  }

  /** Ends the span of a retry's delay (the next attempt starts, or the call ends). */
  endRetryWait(wait: RetryWait): void {
    endRetryWait(wait, this.#clock);
  }

  /** A throttle (`counted`), or only the wait after one (the breaker's wait for its probe). */
  throttle(
    span: Span,
    attrs: CallMetricAttributes,
    source: ThrottleSource,
    ms: number,
    counted = true,
  ): void {
    try {
      const metricAttrs = this.#labels.get(attrs).with(ATTR.SWARMGATE_THROTTLE_SOURCE, source);
      recordThrottle(this.#i, this.tracer, span, metricAttrs, { source, waitMs: ms, counted });
    } catch {
      // telemetry never throws into the user's call
    }
  }

  /** A breaker moved while this call's attempt went through it. */
  breakerChanged(span: Span, key: string, previous: string, state: string): void {
    if (!span.isRecording()) return;
    span.addEvent(EVENT.BREAKER, {
      [ATTR.SWARMGATE_BREAKER_KEY]: key,
      [ATTR.SWARMGATE_BREAKER_PREVIOUS_STATE]: previous,
      [ATTR.SWARMGATE_BREAKER_STATE]: state,
    });
  }

  creditsSpent(attrs: CallMetricAttributes, usd: number): void {
    if (usd > 0) this.#i.creditsSpent.add(usd, this.#labels.get(attrs).base);
  }

  /**
   * Ends the call's span and records its metrics (token usage included). `spanAttrs` is
   * built only for a recording span (undefined otherwise); `server` labels the GenAI metrics.
   */
  endCall(
    span: Span,
    attrs: CallMetricAttributes,
    outcome: Outcome,
    durationMs: number,
    tokens: { readonly input: number; readonly output: number } | undefined,
    spanAttrs: Attributes | undefined,
    error?: unknown,
    server?: CallServer,
  ): void {
    try {
      const labels = this.#labels.get(attrs);
      const errorType = error === undefined ? undefined : errorTypeOf(error);
      const metricAttrs =
        errorType === undefined
          ? labels.with(ATTR.SWARMGATE_OUTCOME, outcome)
          : labels.with(ATTR.SWARMGATE_OUTCOME, outcome, ATTR.ERROR_TYPE, metricErrorType(errorType));
      this.#i.requests.add(1, metricAttrs);
      const genAi = server ? this.#labels.server(labels, server.address, server.port) : labels;
      const durationAttrs =
        genAi === labels
          ? metricAttrs
          : errorType === undefined
            ? genAi.with(ATTR.SWARMGATE_OUTCOME, outcome)
            : genAi.with(ATTR.SWARMGATE_OUTCOME, outcome, ATTR.ERROR_TYPE, metricErrorType(errorType));
      const exemplar = exemplarContext(span);
      this.#i.duration.record(durationMs / 1000, durationAttrs, exemplar);
      if (tokens && tokens.input > 0) this.#recordTokens("input", tokens.input, genAi);
      if (tokens && tokens.output > 0) this.#recordTokens("output", tokens.output, genAi);
      if (spanAttrs && exemplar) {
        span.setAttributes(spanAttrs);
        span.setAttribute(ATTR.SWARMGATE_OUTCOME, outcome);
        if (errorType) {
          span.setAttribute(ATTR.ERROR_TYPE, errorType);
          recordException(span, error);
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: redact(String((error as Error)?.message ?? error)),
          });
        }
      }
    } catch {
      // telemetry never throws into the user's call
    }
    span.end();
  }

  startHttpAttempt(info: HttpAttemptInfo): HttpAttempt {
    return startHttpAttempt(
      this.tracer,
      this.#i.httpDuration,
      this.#clock,
      this.#governor,
      this.#options,
      errorTypeOf,
      info,
    );
  }

  /** `context` (default: the active one) links the point to its trace as an exemplar. */
  recordTimeToFirstChunk(call: CallLabels, seconds: number, context?: Context): void {
    if (!(seconds >= 0)) return;
    const labels = this.#labels.get({
      operation: call.operation ?? "chat",
      model: call.model,
      provider: call.provider,
    });
    const server = call.server;
    const genAi = server ? this.#labels.server(labels, server.address, server.port) : labels;
    this.#i.timeToFirstChunk.record(seconds, genAi.base, context);
  }

  #recordTokens(type: "input" | "output", count: number, labels: MetricLabels): void {
    const t = this.#i.tokens;
    if (t.typed) t.input.record(count, labels.with(ATTR.GEN_AI_TOKEN_TYPE, type));
    else (type === "input" ? t.input : t.output).record(count, labels.base);
  }
}

export { errorTypeOf } from "./telemetry-attributes.js";
