import {
  type Attributes,
  type Context,
  context,
  diag,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricOptions,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { type ExemplarStore, SDK_DEFAULT_BOUNDARIES } from "./exemplar-store.js";

/**
 * Which measurements may become exemplars: the values of the spec's `OTEL_METRICS_EXEMPLAR_FILTER`.
 * `trace_based` (the default): those recorded in a sampled span's context; `always_on`: every
 * one (linked to its span when it has one); `always_off`: none.
 */
export type ExemplarFilter = "always_on" | "always_off" | "trace_based";

/** @internal Every {@link ExemplarFilter}: what the option and `OTEL_METRICS_EXEMPLAR_FILTER` accept. */
export const EXEMPLAR_FILTERS: readonly ExemplarFilter[] = ["always_on", "always_off", "trace_based"];

const EMPTY: Attributes = Object.freeze({});
let warned = false;

function wrapHistogram(
  histogram: Histogram,
  exemplars: ReturnType<ExemplarStore["histogram"]>,
  alwaysOn: boolean,
): Histogram {
  return {
    record(value: number, attributes?: Attributes, ctx?: Context): void {
      histogram.record(value, attributes, ctx);
      try {
        const span = trace.getSpanContext(ctx ?? context.active());
        if (span && (span.traceFlags & TraceFlags.SAMPLED) !== 0)
          exemplars.offer(value, attributes ?? EMPTY, span.traceId, span.spanId);
        else if (alwaysOn) {
          const valid = span !== undefined && trace.isSpanContextValid(span);
          exemplars.offer(
            value,
            attributes ?? EMPTY,
            valid ? span.traceId : undefined,
            valid ? span.spanId : undefined,
          );
        }
      } catch (error) {
        // an exemplar is never worth a failed call
        if (!warned) {
          warned = true;
          diag.warn("swarmgate exemplars: a measurement could not be offered", error);
        }
      }
    },
  };
}

/**
 * A meter provider whose histograms also offer each measurement to `store`, as the filter
 * allows; everything else is the provider's own. `boundariesOf` gives the bucket boundaries a
 * view sets for an instrument, if any (else its advice, else the SDK's default).
 */
export function meterProviderWithExemplars(
  provider: MeterProvider,
  store: ExemplarStore,
  filter: Exclude<ExemplarFilter, "always_off">,
  boundariesOf: (instrumentName: string) => readonly number[] | undefined = () => undefined,
): MeterProvider {
  const alwaysOn = filter === "always_on";
  const wrapMeter = (
    meter: Meter,
    name: string,
    version: string | undefined,
    schemaUrl: string | undefined,
  ) =>
    new Proxy(meter, {
      get(target, key) {
        if (key === "createHistogram")
          return (instrument: string, options?: MetricOptions) => {
            const histogram = target.createHistogram(instrument, options);
            const boundaries =
              boundariesOf(instrument) ?? options?.advice?.explicitBucketBoundaries ?? SDK_DEFAULT_BOUNDARIES;
            const exemplars = store.histogram(instrument, { name, version, schemaUrl }, boundaries);
            return wrapHistogram(histogram, exemplars, alwaysOn);
          };
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(provider, {
    get(target, key) {
      if (key === "getMeter")
        return (name: string, version?: string, options?: { schemaUrl?: string }) =>
          wrapMeter(target.getMeter(name, version, options), name, version, options?.schemaUrl);
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
