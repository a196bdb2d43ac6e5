import {
  type Attributes,
  type Counter,
  context,
  type Histogram,
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
import {
  ATTR,
  EVENT,
  METRIC,
  type Outcome,
  SEMCONV_RENAMES,
  type SemconvMode,
  type ThrottleSource,
} from "./semconv.js";
import { errorTypeOf, redactAttributes } from "./telemetry-attributes.js";
import { type HttpAttempt, type HttpAttemptInfo, startHttpAttempt } from "./telemetry-http.js";
import { definition, instrument, observeGauges } from "./telemetry-instruments.js";
import { type CallMetricAttributes, LabelCache, type MetricLabels } from "./telemetry-labels.js";
import {
  type ResolvedTelemetryOptions,
  resolveTelemetryOptions,
  type TelemetryOptions,
} from "./telemetry-options.js";
import { VERSION } from "./version.js";

export type { CallLabels, CallTelemetry, GaugeSource } from "./call-telemetry.js";
export type { CallMetricAttributes } from "./telemetry-labels.js";

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
  readonly #requests: Counter;
  readonly #retries: Counter;
  readonly #throttles: Counter;
  readonly #creditsSpent: Counter;
  readonly #duration: Histogram;
  readonly #throttleWait: Histogram;
  readonly #timeToFirstChunk: Histogram;
  readonly #httpDuration: Histogram;
  /** `default`: one histogram with `gen_ai.token.type`; `latest`: one histogram per type. */
  readonly #tokens: { input: Histogram; output: Histogram; typed: boolean };
  readonly #labels: LabelCache;

  constructor(init: GovernorTelemetryInit) {
    this.#options = resolveTelemetryOptions(init.options);
    this.semconv = this.#options.semconv;
    this.captureContent = this.#options.captureContent;
    this.#governor = init.governor;
    this.#clock = init.clock;
    this.#labels = new LabelCache(init.governor, this.#options.providerName);
    this.tracer = (init.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
    const meter = (init.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.#meter = meter;
    this.#requests = instrument(meter, definition(METRIC.REQUESTS)) as Counter;
    this.#retries = instrument(meter, definition(METRIC.RETRIES)) as Counter;
    this.#throttles = instrument(meter, definition(METRIC.THROTTLES)) as Counter;
    this.#creditsSpent = instrument(meter, definition(METRIC.CREDITS_SPENT)) as Counter;
    this.#duration = instrument(meter, definition(METRIC.OPERATION_DURATION)) as Histogram;
    this.#throttleWait = instrument(meter, definition(METRIC.THROTTLE_WAIT)) as Histogram;
    this.#timeToFirstChunk = instrument(meter, definition(METRIC.TIME_TO_FIRST_CHUNK)) as Histogram;
    this.#httpDuration = instrument(meter, definition(METRIC.HTTP_CLIENT_DURATION)) as Histogram;
    const tokens = definition(METRIC.TOKEN_USAGE);
    const renamed = SEMCONV_RENAMES.find((r) => r.name === METRIC.TOKEN_USAGE)?.latest;
    if (this.semconv === "latest" && renamed?.[0] && renamed[1]) {
      this.#tokens = {
        input: instrument(meter, tokens, renamed[0]) as Histogram,
        output: instrument(meter, tokens, renamed[1]) as Histogram,
        typed: false,
      };
    } else {
      const both = instrument(meter, tokens) as Histogram;
      this.#tokens = { input: both, output: both, typed: true };
    }
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
    const span = this.tracer.startSpan(labels.spanName, { kind: SpanKind.CLIENT, attributes: labels.base });
    if (extra && span.isRecording()) span.setAttributes(redactAttributes(extra));
    return span;
  }

  /** Runs `fn` with `span` as the active span, so that spans made inside are its children. */
  withSpan<T>(span: Span, fn: () => T): T {
    if (!span.isRecording()) return fn();
    return context.with(trace.setSpan(context.active(), span), fn);
  }

  retry(span: Span, attrs: CallMetricAttributes, retry: number, reason: string, delayMs: number): void {
    try {
      this.#retries.add(1, this.#labels.get(attrs).with(ATTR.SWARMGATE_RETRY_REASON, reason));
      if (span.isRecording())
        span.addEvent(EVENT.RETRY, {
          [ATTR.HTTP_REQUEST_RESEND_COUNT]: retry,
          [ATTR.SWARMGATE_RETRY_REASON]: reason,
          [ATTR.SWARMGATE_RETRY_DELAY]: delayMs / 1000,
        });
    } catch {
      // telemetry never throws into the user's call
    }
  }

  throttle(span: Span, attrs: CallMetricAttributes, source: ThrottleSource, waitMs: number): void {
    try {
      const metricAttrs = this.#labels.get(attrs).with(ATTR.SWARMGATE_THROTTLE_SOURCE, source);
      this.#throttles.add(1, metricAttrs);
      if (waitMs > 0) this.#throttleWait.record(waitMs / 1000, metricAttrs);
      if (span.isRecording())
        span.addEvent(EVENT.THROTTLE, {
          [ATTR.SWARMGATE_THROTTLE_SOURCE]: source,
          [ATTR.SWARMGATE_THROTTLE_WAIT]: waitMs / 1000,
        });
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
    if (usd > 0) this.#creditsSpent.add(usd, this.#labels.get(attrs).base);
  }

  /**
   * Ends the call's span and records its metrics (token usage included). `spanAttrs` is
   * built only for a recording span (undefined otherwise).
   */
  endCall(
    span: Span,
    attrs: CallMetricAttributes,
    outcome: Outcome,
    durationMs: number,
    tokens: { readonly input: number; readonly output: number } | undefined,
    spanAttrs: Attributes | undefined,
    error?: unknown,
  ): void {
    try {
      const labels = this.#labels.get(attrs);
      const errorType = error === undefined ? undefined : errorTypeOf(error);
      const metricAttrs =
        errorType === undefined
          ? labels.with(ATTR.SWARMGATE_OUTCOME, outcome)
          : labels.with(ATTR.SWARMGATE_OUTCOME, outcome, ATTR.ERROR_TYPE, errorType);
      this.#requests.add(1, metricAttrs);
      this.#duration.record(durationMs / 1000, metricAttrs);
      if (tokens && tokens.input > 0) this.#recordTokens("input", tokens.input, labels);
      if (tokens && tokens.output > 0) this.#recordTokens("output", tokens.output, labels);
      if (spanAttrs && span.isRecording()) {
        span.setAttributes(spanAttrs);
        span.setAttribute(ATTR.SWARMGATE_OUTCOME, outcome);
        if (errorType) {
          span.setAttribute(ATTR.ERROR_TYPE, errorType);
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
      this.#httpDuration,
      this.#clock,
      this.#governor,
      this.#options,
      errorTypeOf,
      info,
    );
  }

  recordTimeToFirstChunk(call: CallLabels, seconds: number): void {
    if (!(seconds >= 0)) return;
    this.#timeToFirstChunk.record(
      seconds,
      this.#labels.get({ operation: call.operation ?? "chat", model: call.model, provider: call.provider })
        .base,
    );
  }

  #recordTokens(type: "input" | "output", count: number, labels: MetricLabels): void {
    const t = this.#tokens;
    if (t.typed) t.input.record(count, labels.with(ATTR.GEN_AI_TOKEN_TYPE, type));
    else (type === "input" ? t.input : t.output).record(count, labels.base);
  }
}

export { errorTypeOf } from "./telemetry-attributes.js";
