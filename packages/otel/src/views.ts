import { metrics } from "@opentelemetry/sdk-node";
import { METRICS, SEMCONV_RENAMES } from "@swarmgate/core";

type ViewOptions = metrics.ViewOptions;

/**
 * One view per swarmgate histogram, with the bucket boundaries of `semconv.ts` (the GenAI
 * and HTTP conventions' buckets; a 1 ms – 5 min ladder for throttle waits). Instruments
 * already carry them as advice; the views make them win over any other SDK default, and
 * cover the renamed instruments of `semconv: "latest"`.
 *
 * @example
 * new MeterProvider({ readers, views: histogramViews() });
 */
export function histogramViews(): ViewOptions[] {
  const views: ViewOptions[] = [];
  for (const metric of METRICS) {
    if (metric.instrument !== "histogram" || !metric.buckets) continue;
    const names = [metric.name, ...(SEMCONV_RENAMES.find((r) => r.name === metric.name)?.latest ?? [])];
    for (const instrumentName of names)
      views.push({
        instrumentName,
        aggregation: {
          type: metrics.AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [...metric.buckets] },
        },
      });
  }
  return views;
}
