import type { BatchObservableResult, Counter, Histogram, Meter } from "@opentelemetry/api";
import type { GaugeSource } from "./call-telemetry.js";
import { ATTR, METRIC, METRICS, type MetricDefinition } from "./semconv.js";

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
