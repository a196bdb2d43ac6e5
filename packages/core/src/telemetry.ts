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
import { redact } from "./redact.js";
import { ATTR, DURATION_BUCKETS_S, EVENT, METRIC, type Outcome, type ThrottleSource } from "./semconv.js";
import { VERSION } from "./version.js";

/** What the governor's gauges read when a metric reader collects. */
export interface GaugeSource {
  concurrency(): { limit: number; inFlight: number; queued: number };
  breakers(): Record<string, number>;
  quota(): { requestClass: string; window: string; remaining: number; limit: number }[];
  credits(): Promise<{ remainingUsd: number } | undefined>;
}

/** Attributes of one logical call that go on metrics: bounded cardinality only. */
export interface CallMetricAttributes {
  readonly operation: string;
  readonly model: string | undefined;
  readonly provider: string | undefined;
}

const SCOPE = "@swarmgate/core";

/**
 * The governor's instruments. Everything goes through `@opentelemetry/api`: with no SDK
 * installed it costs almost nothing, and no telemetry call ever throws into the user's call.
 */
export class GovernorTelemetry {
  readonly tracer: Tracer;
  readonly #governor: string;
  readonly #requests: Counter;
  readonly #retries: Counter;
  readonly #throttles: Counter;
  readonly #creditsSpent: Counter;
  readonly #duration: Histogram;
  readonly #throttleWait: Histogram;
  readonly #meter: Meter;

  constructor(governor: string, tracerProvider?: TracerProvider, meterProvider?: MeterProvider) {
    this.#governor = governor;
    this.tracer = (tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
    const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.#meter = meter;
    this.#requests = meter.createCounter(METRIC.REQUESTS, {
      unit: "{request}",
      description: "Logical calls, by outcome",
    });
    this.#retries = meter.createCounter(METRIC.RETRIES, {
      unit: "{retry}",
      description: "Retries, by reason",
    });
    this.#throttles = meter.createCounter(METRIC.THROTTLES, {
      unit: "{throttle}",
      description: "Throttles, by source",
    });
    this.#creditsSpent = meter.createCounter(METRIC.CREDITS_SPENT, {
      unit: "USD",
      description: "Credits spent",
    });
    this.#duration = meter.createHistogram(METRIC.OPERATION_DURATION, {
      unit: "s",
      description: "Duration of GenAI operations, retries and waits included",
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
    });
    this.#throttleWait = meter.createHistogram(METRIC.THROTTLE_WAIT, {
      unit: "s",
      description: "Time spent waiting for a quota permit or a concurrency slot",
      advice: { explicitBucketBoundaries: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] },
    });
  }

  /** Registers the observable gauges; returns a function that unregisters them. */
  observe(source: GaugeSource): () => void {
    const m = this.#meter;
    const base = { [ATTR.SWARMGATE_GOVERNOR]: this.#governor };
    const limit = m.createObservableGauge(METRIC.CONCURRENCY_LIMIT, { unit: "{request}" });
    const inFlight = m.createObservableUpDownCounter(METRIC.CONCURRENCY_IN_FLIGHT, { unit: "{request}" });
    const queued = m.createObservableUpDownCounter(METRIC.QUEUE_DEPTH, { unit: "{request}" });
    const breaker = m.createObservableGauge(METRIC.BREAKER_STATE, { unit: "1" });
    const remaining = m.createObservableGauge(METRIC.RATELIMIT_REMAINING, { unit: "{request}" });
    const quotaLimit = m.createObservableGauge(METRIC.RATELIMIT_LIMIT, { unit: "{request}" });
    const credits = m.createObservableGauge(METRIC.CREDITS_REMAINING, { unit: "USD" });
    const callback = async (result: import("@opentelemetry/api").BatchObservableResult) => {
      try {
        const c = source.concurrency();
        result.observe(limit, c.limit, base);
        result.observe(inFlight, c.inFlight, base);
        result.observe(queued, c.queued, base);
        for (const [key, state] of Object.entries(source.breakers()))
          result.observe(breaker, state, { ...base, [ATTR.SWARMGATE_BREAKER_KEY]: key });
        for (const q of source.quota()) {
          const attrs = {
            ...base,
            [ATTR.SWARMGATE_REQUEST_CLASS]: q.requestClass,
            "swarmgate.window": q.window,
          };
          result.observe(remaining, q.remaining, attrs);
          result.observe(quotaLimit, q.limit, attrs);
        }
        const c2 = await source.credits();
        if (c2) result.observe(credits, c2.remainingUsd, base);
      } catch {
        // a failing gauge must not break collection of the others
      }
    };
    const observables = [limit, inFlight, queued, breaker, remaining, quotaLimit, credits];
    m.addBatchObservableCallback(callback, observables);
    return () => m.removeBatchObservableCallback(callback, observables);
  }

  /** Starts the CLIENT span of a logical call, child of the active context. */
  startCall(attrs: CallMetricAttributes, extra: Attributes | undefined): Span {
    const name = attrs.model ? `${attrs.operation} ${attrs.model}` : attrs.operation;
    const attributes: Attributes = {
      [ATTR.GEN_AI_OPERATION_NAME]: attrs.operation,
      [ATTR.GEN_AI_PROVIDER_NAME]: "huggingface",
      [ATTR.SWARMGATE_GOVERNOR]: this.#governor,
      ...extra,
    };
    if (attrs.model) attributes[ATTR.GEN_AI_REQUEST_MODEL] = attrs.model;
    if (attrs.provider) attributes[ATTR.SWARMGATE_ROUTED_PROVIDER] = attrs.provider;
    return this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
  }

  /** Runs `fn` with `span` as the active span, so that spans made inside are its children. */
  withSpan<T>(span: Span, fn: () => T): T {
    if (!span.isRecording()) return fn();
    return context.with(trace.setSpan(context.active(), span), fn);
  }

  retry(span: Span, attrs: CallMetricAttributes, retry: number, reason: string, delayMs: number): void {
    this.#retries.add(1, { ...this.#metricAttrs(attrs), [ATTR.SWARMGATE_RETRY_REASON]: reason });
    if (span.isRecording())
      span.addEvent(EVENT.RETRY, { [ATTR.HTTP_REQUEST_RESEND_COUNT]: retry, reason, delay_ms: delayMs });
  }

  throttle(span: Span, attrs: CallMetricAttributes, source: ThrottleSource, waitMs: number): void {
    const metricAttrs = { ...this.#metricAttrs(attrs), [ATTR.SWARMGATE_THROTTLE_SOURCE]: source };
    this.#throttles.add(1, metricAttrs);
    if (waitMs > 0) this.#throttleWait.record(waitMs / 1000, metricAttrs);
    if (span.isRecording()) span.addEvent(EVENT.THROTTLE, { source, wait_ms: waitMs });
  }

  creditsSpent(attrs: CallMetricAttributes, usd: number): void {
    if (usd > 0) this.#creditsSpent.add(usd, this.#metricAttrs(attrs));
  }

  /** Ends the call's span and records its metrics. */
  endCall(
    span: Span,
    attrs: CallMetricAttributes,
    outcome: Outcome,
    durationMs: number,
    spanAttrs: Attributes,
    error?: unknown,
  ): void {
    const metricAttrs: Attributes = { ...this.#metricAttrs(attrs), [ATTR.SWARMGATE_OUTCOME]: outcome };
    const errorType = error === undefined ? undefined : errorTypeOf(error);
    if (errorType) metricAttrs[ATTR.ERROR_TYPE] = errorType;
    this.#requests.add(1, metricAttrs);
    this.#duration.record(durationMs / 1000, metricAttrs);
    if (!span.isRecording()) {
      span.end();
      return;
    }
    span.setAttributes(spanAttrs);
    span.setAttribute(ATTR.SWARMGATE_OUTCOME, outcome);
    if (errorType) {
      span.setAttribute(ATTR.ERROR_TYPE, errorType);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: redact(String((error as Error)?.message ?? error)),
      });
    }
    span.end();
  }

  #metricAttrs(attrs: CallMetricAttributes): Attributes {
    const out: Attributes = {
      [ATTR.GEN_AI_OPERATION_NAME]: attrs.operation,
      [ATTR.GEN_AI_PROVIDER_NAME]: "huggingface",
      [ATTR.SWARMGATE_GOVERNOR]: this.#governor,
    };
    if (attrs.model) out[ATTR.GEN_AI_REQUEST_MODEL] = attrs.model;
    if (attrs.provider) out[ATTR.SWARMGATE_ROUTED_PROVIDER] = attrs.provider;
    return out;
  }
}

/** `error.type`: the swarmgate code, the HTTP status, or the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "_OTHER";
  const e = error as { code?: unknown; status?: unknown; name?: unknown };
  if (typeof e.status === "number") return String(e.status);
  if (typeof e.code === "string" && /^[a-z_]+$/.test(e.code)) return e.code;
  return typeof e.name === "string" && e.name ? e.name : "_OTHER";
}
