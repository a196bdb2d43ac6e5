import type { BatchObservableResult, Counter, Histogram, Meter } from "@opentelemetry/api";
import type { GaugeSource } from "./call-telemetry.js";
import {
  ATTR,
  METRIC,
  METRICS,
  type MetricDefinition,
  SEMCONV_RENAMES,
  type SemconvMode,
} from "./semconv.js";

/** @internal The governor's synchronous instruments. */
export interface Instruments {
  readonly requests: Counter;
  readonly retries: Counter;
  readonly throttles: Counter;
  readonly creditsSpent: Counter;
  readonly duration: Histogram;
  readonly throttleWait: Histogram;
  readonly timeToFirstChunk: Histogram;
  readonly httpDuration: Histogram;
  /** `default`: one histogram with `gen_ai.token.type`; `latest`: one histogram per type. */
  readonly tokens: { readonly input: Histogram; readonly output: Histogram; readonly typed: boolean };
}

/** @internal Creates the governor's synchronous instruments, in the naming of `semconv`. */
export function createInstruments(meter: Meter, semconv: SemconvMode): Instruments {
  const counter = (name: string) => instrument(meter, definition(name)) as Counter;
  const histogram = (name: string) => instrument(meter, definition(name)) as Histogram;
  const tokens = definition(METRIC.TOKEN_USAGE);
  const renamed = SEMCONV_RENAMES.find((r) => r.name === METRIC.TOKEN_USAGE)?.latest;
  let typed: Instruments["tokens"];
  if (semconv === "latest" && renamed?.[0] && renamed[1])
    typed = {
      input: instrument(meter, tokens, renamed[0]) as Histogram,
      output: instrument(meter, tokens, renamed[1]) as Histogram,
      typed: false,
    };
  else {
    const both = instrument(meter, tokens) as Histogram;
    typed = { input: both, output: both, typed: true };
  }
  return {
    requests: counter(METRIC.REQUESTS),
    retries: counter(METRIC.RETRIES),
    throttles: counter(METRIC.THROTTLES),
    creditsSpent: counter(METRIC.CREDITS_SPENT),
    duration: histogram(METRIC.OPERATION_DURATION),
    throttleWait: histogram(METRIC.THROTTLE_WAIT),
    timeToFirstChunk: histogram(METRIC.TIME_TO_FIRST_CHUNK),
    httpDuration: histogram(METRIC.HTTP_CLIENT_DURATION),
    tokens: typed,
  };
}

/** Creates the instrument of a metric definition (under another name for a renamed one). */
export function instrument(meter: Meter, d: MetricDefinition, name = d.name): Histogram | Counter {
  const options = {
    unit: d.unit,
    description: d.description,
    ...(d.buckets ? { advice: { explicitBucketBoundaries: [...d.buckets] } } : {}),
  };
  return d.instrument === "histogram"
    ? meter.createHistogram(name, options)
    : meter.createCounter(name, options);
}

/** The definition of a metric by name. */
export function definition(name: string): MetricDefinition {
  const d = METRICS.find((m) => m.name === name);
  if (!d) throw new Error(`unknown metric ${name}`);
  return d;
}

/** Registers the governor's observable gauges; returns a function that unregisters them. */
export function observeGauges(m: Meter, governor: string, source: GaugeSource): () => void {
  const base = { [ATTR.SWARMGATE_GOVERNOR]: governor };
  const gauge = (name: string) => {
    const d = definition(name);
    const options = { unit: d.unit, description: d.description };
    return d.instrument === "updowncounter"
      ? m.createObservableUpDownCounter(name, options)
      : m.createObservableGauge(name, options);
  };
  const limit = gauge(METRIC.CONCURRENCY_LIMIT);
  const inFlight = gauge(METRIC.CONCURRENCY_IN_FLIGHT);
  const queued = gauge(METRIC.QUEUE_DEPTH);
  const breaker = gauge(METRIC.BREAKER_STATE);
  const remaining = gauge(METRIC.RATELIMIT_REMAINING);
  const quotaLimit = gauge(METRIC.RATELIMIT_LIMIT);
  const credits = gauge(METRIC.CREDITS_REMAINING);
  const callback = async (result: BatchObservableResult) => {
    try {
      const c = source.concurrency();
      result.observe(limit, c.limit, base);
      result.observe(inFlight, c.inFlight, base);
      result.observe(queued, c.queued, base);
      for (const [key, state] of Object.entries(source.breakers()))
        result.observe(breaker, state, { ...base, [ATTR.SWARMGATE_BREAKER_KEY]: key });
      for (const q of await source.quota()) {
        const attrs = {
          ...base,
          [ATTR.SWARMGATE_REQUEST_CLASS]: q.requestClass,
          [ATTR.SWARMGATE_QUOTA_WINDOW]: q.window,
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
