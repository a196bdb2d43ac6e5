import { type Attributes, diag } from "@opentelemetry/api";

/** One measurement kept to illustrate a histogram bucket: its value and the span it was recorded in. */
export interface Exemplar {
  readonly value: number;
  /** Absent when no span context came with the measurement (filter `always_on`). */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** When it was recorded, in epoch milliseconds. */
  readonly timeMs: number;
}

/** The instrumentation scope of a meter, as the Prometheus exporter labels its series. */
export interface ExemplarScope {
  readonly name: string;
  readonly version?: string | undefined;
  readonly schemaUrl?: string | undefined;
}

/** The SDK's default explicit bucket boundaries, for a histogram neither a view nor advice sets. */
export const SDK_DEFAULT_BOUNDARIES: readonly number[] = [
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
];

/** More series than this (all histograms together) keep no exemplars past the first this many. */
export const MAX_EXEMPLAR_SERIES = 2_000;

/** The Prometheus exporter's metric and label names: what OpenTelemetry allows and Prometheus does not becomes `_`. */
export function prometheusName(name: string): string {
  const clean = name.replace(/[^a-z0-9_]/gi, "_").replace(/_{2,}/g, "_");
  return clean[0] !== undefined && clean[0] >= "0" && clean[0] <= "9" ? `_${clean}` : clean;
}

/** A label value as the exporter writes it, unescaped: strings as they are, anything else as JSON. */
const labelValue = (value: unknown): string =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : value === undefined
        ? ""
        : JSON.stringify(value);

/** The key of one Prometheus series: its name and its labels in name order (`le` excluded by the caller). */
export function seriesKey(name: string, labels: readonly (readonly [string, string])[]): string {
  const sorted = [...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let key = name;
  for (const [k, v] of sorted) key += `\u0000${k}\u0001${v}`;
  return key;
}

/**
 * The latest exemplar of each bucket of one series, as the OTel spec's default reservoir for
 * explicit-bucket histograms keeps them (`AlignedHistogramBucketExemplarReservoir`): a slow
 * call's exemplar stays until a slower or equal bucket's next one, not until the next fast call.
 * Typed arrays, written in place: offering allocates nothing.
 */
class SeriesExemplars {
  readonly attributes: Attributes;
  /** How many attributes: with {@link sameAs}, a comparison that allocates nothing. */
  readonly size: number;
  readonly values: Float64Array;
  readonly times: Float64Array;
  readonly traceIds: (string | undefined)[];
  readonly spanIds: (string | undefined)[];

  constructor(attributes: Attributes, buckets: number) {
    this.attributes = attributes;
    this.size = Object.keys(attributes).length;
    this.values = new Float64Array(buckets);
    this.times = new Float64Array(buckets).fill(Number.NaN);
    this.traceIds = new Array(buckets).fill(undefined);
    this.spanIds = new Array(buckets).fill(undefined);
  }

  /** Whether `attributes` holds the same primitive values under the same keys. */
  sameAs(attributes: Attributes): boolean {
    let n = 0;
    for (const k in attributes) {
      if (attributes[k] !== this.attributes[k]) return false;
      n++;
    }
    return n === this.size;
  }
}

// Series of fresh attribute objects compared value by value before any key is built: an HTTP
// attempt's attributes are a new object per attempt, and a few sets cover most of them.
const RECENT = 4;

/** The exemplars of one histogram (name and scope), by series. */
export class HistogramExemplars {
  readonly #store: ExemplarStore;
  readonly #labels: readonly (readonly [string, string])[];
  readonly #boundaries: readonly number[];
  /** Prometheus name of the histogram, before `_bucket`. */
  readonly name: string;
  // Frozen attribute objects (swarmgate's cached labels) are found by identity; others by key.
  readonly #byObject = new WeakMap<Attributes, SeriesExemplars>();
  readonly #byKey = new Map<string, SeriesExemplars>();
  readonly #recent: SeriesExemplars[] = [];
  // The last frozen attribute object and its series: one comparison for a repeated label set.
  #lastObject: Attributes | undefined;
  #lastSeries: SeriesExemplars | undefined;

  constructor(store: ExemplarStore, name: string, scope: ExemplarScope, boundaries: readonly number[]) {
    this.#store = store;
    this.name = prometheusName(name);
    const labels: [string, string][] = [["otel_scope_name", scope.name]];
    if (scope.schemaUrl) labels.push(["otel_scope_schema_url", scope.schemaUrl]);
    if (scope.version) labels.push(["otel_scope_version", scope.version]);
    this.#labels = labels;
    this.#boundaries = boundaries;
  }

  #series(attributes: Attributes): SeriesExemplars | undefined {
    if (attributes === this.#lastObject) return this.#lastSeries;
    const frozen = Object.isFrozen(attributes);
    if (frozen) {
      const found = this.#byObject.get(attributes);
      if (found) {
        this.#lastObject = attributes;
        this.#lastSeries = found;
        return found;
      }
    }
    for (const series of this.#recent) if (series.sameAs(attributes)) return series;
    // In the object's own key order, unsorted: sorting costs more than it saves, and two orders
    // of one attribute set only make two entries that `collect` merges into one series.
    let key = "";
    for (const k in attributes) {
      const v = attributes[k];
      key += `\u0000${k}\u0001${typeof v === "string" ? v : labelValue(v)}`;
    }
    let series = this.#byKey.get(key);
    if (!series) {
      if (!this.#store.admit()) return undefined;
      series = new SeriesExemplars(frozen ? attributes : { ...attributes }, this.#boundaries.length + 1);
      this.#byKey.set(key, series);
    }
    if (frozen) {
      this.#byObject.set(attributes, series);
      this.#lastObject = attributes;
      this.#lastSeries = series;
    } else {
      if (this.#recent.length >= RECENT) this.#recent.pop();
      this.#recent.unshift(series);
    }
    return series;
  }

  /** Keeps the measurement as its bucket's exemplar, replacing the previous one. */
  offer(
    value: number,
    attributes: Attributes,
    traceId: string | undefined,
    spanId: string | undefined,
  ): void {
    if (!Number.isFinite(value)) return;
    const series = this.#series(attributes);
    if (!series) return;
    const b = this.#boundaries;
    let lo = 0;
    let hi = b.length;
    // The first boundary ≥ value: bucket i holds (b[i-1], b[i]], as Prometheus' `le`.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= (b[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    series.values[lo] = value;
    series.times[lo] = this.#store.now();
    series.traceIds[lo] = traceId;
    series.spanIds[lo] = spanId;
  }

  /** @internal Adds this histogram's exemplars to a scrape's lookup. */
  collect(into: Map<string, Exemplar[]>): void {
    for (const series of this.#byKey.values()) {
      const labels: (readonly [string, string])[] = [...this.#labels];
      for (const [k, v] of Object.entries(series.attributes)) labels.push([prometheusName(k), labelValue(v)]);
      const exemplars: Exemplar[] = [];
      for (let i = 0; i < series.values.length; i++) {
        const timeMs = series.times[i] as number;
        if (Number.isNaN(timeMs)) continue;
        exemplars.push({
          value: series.values[i] as number,
          traceId: series.traceIds[i],
          spanId: series.spanIds[i],
          timeMs,
        });
      }
      if (exemplars.length === 0) continue;
      const key = seriesKey(this.name, labels);
      into.set(key, [...(into.get(key) ?? []), ...exemplars]);
    }
  }
}

/**
 * Exemplars of every histogram of a meter provider, per series (metric name, scope and
 * attribute set), for the Prometheus endpoint's OpenMetrics answer. Bounded: at most
 * {@link MAX_EXEMPLAR_SERIES} series, each one exemplar per bucket.
 */
export class ExemplarStore {
  readonly now: () => number;
  readonly #maxSeries: number;
  readonly #histograms = new Map<string, HistogramExemplars>();
  #series = 0;
  #warned = false;

  constructor(options: { readonly now?: () => number; readonly maxSeries?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.#maxSeries = options.maxSeries ?? MAX_EXEMPLAR_SERIES;
  }

  /** The exemplars of one histogram; the same object for the same name and scope. */
  histogram(name: string, scope: ExemplarScope, boundaries: readonly number[]): HistogramExemplars {
    const key = `${name}\u0000${scope.name}\u0000${scope.version ?? ""}\u0000${scope.schemaUrl ?? ""}`;
    let found = this.#histograms.get(key);
    if (!found) {
      found = new HistogramExemplars(this, name, scope, boundaries);
      this.#histograms.set(key, found);
    }
    return found;
  }

  /** @internal Counts one more series, or says (once, in the diagnostics) that the store is full. */
  admit(): boolean {
    if (this.#series < this.#maxSeries) {
      this.#series++;
      return true;
    }
    if (!this.#warned) {
      this.#warned = true;
      diag.warn(`swarmgate exemplars: more than ${this.#maxSeries} histogram series; later ones keep none`);
    }
    return false;
  }

  /** Every series' exemplars, by {@link seriesKey} of the series as the Prometheus exporter names it. */
  snapshot(): Map<string, Exemplar[]> {
    const lookup = new Map<string, Exemplar[]>();
    for (const histogram of this.#histograms.values()) histogram.collect(lookup);
    return lookup;
  }
}
