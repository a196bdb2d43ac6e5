// Values are bucketed in whole microseconds. Below LINEAR every microsecond has its own
// bucket; above, each power of two is split into HALF sub-buckets, so a bucket is at most
// 1/128 (< 1%) as wide as its lower edge: HdrHistogram's layout with 2 significant digits.
const LINEAR = 256;
const HALF = LINEAR / 2;
const SUB_BITS = 7; // log2(HALF)
// 2^32 - 1 µs ≈ 71.6 minutes, so the index maths stays in 32-bit integers (Math.clz32).
const MAX_MICROS = 0xffff_ffff;
const BUCKETS = LINEAR + (31 - SUB_BITS) * HALF;

function indexOf(micros: number): number {
  if (micros < LINEAR) return micros;
  const shift = 31 - Math.clz32(micros) - SUB_BITS;
  return LINEAR + (shift - 1) * HALF + ((micros >>> shift) - HALF);
}

function upperEdgeMicros(index: number): number {
  if (index < LINEAR) return index + 1;
  const shift = Math.floor((index - LINEAR) / HALF) + 1;
  const sub = index - LINEAR - (shift - 1) * HALF + HALF;
  return (sub + 1) * 2 ** shift;
}

/** Summary statistics of a {@link LatencyHistogram}, all in milliseconds. */
export interface LatencySnapshot {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * A fixed-memory latency histogram for percentiles on the hot path. `record()` is O(1) and
 * allocates nothing; memory is one ~26 KB `Float64Array` however many values are recorded.
 * Buckets are log-linear (as in HdrHistogram) over 1 µs to ~71 minutes, so a percentile is
 * within 1% relative error (or 1 µs) of the exact value; longer values count in the top bucket.
 *
 * @example
 * const latency = new LatencyHistogram();
 * latency.record(performance.now() - started);
 * latency.percentile(99); // ms, e.g. 412.5
 */
export class LatencyHistogram {
  // Float64 rather than Uint32 so a long-lived process cannot overflow a bucket.
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** Records one latency in milliseconds; NaN, negative and infinite values are ignored. */
  record(valueMs: number): void {
    if (!(valueMs >= 0 && valueMs < Number.POSITIVE_INFINITY)) return;
    const micros = Math.min(Math.floor(valueMs * 1000), MAX_MICROS);
    this.#counts[indexOf(micros)]! += 1;
    this.#count += 1;
    this.#sum += valueMs;
    if (valueMs < this.#min) this.#min = valueMs;
    if (valueMs > this.#max) this.#max = valueMs;
  }

  /** How many values were recorded since construction or the last {@link reset}. */
  get count(): number {
    return this.#count;
  }

  /** The largest recorded value (exact), or 0 when empty. */
  get max(): number {
    return this.#max;
  }

  /** The smallest recorded value (exact), or 0 when empty. */
  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** The arithmetic mean (exact), or 0 when empty. */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /**
   * The nearest-rank percentile in milliseconds: the upper edge of the bucket holding that
   * rank, clamped to the maximum so `percentile(100)` is exactly `max`. `p` is clamped to
   * [0, 100]; returns 0 when empty. O(number of buckets), so call it for stats, not per request.
   *
   * @example
   * histogram.percentile(50); // the median
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const clamped = p >= 0 ? Math.min(p, 100) : 0;
    const rank = Math.max(1, Math.ceil((clamped / 100) * this.#count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#counts[index]!;
      if (seen >= rank) return Math.min(upperEdgeMicros(index) / 1000, this.#max);
    }
    return this.#max;
  }

  /** Forgets every recorded value, keeping the allocated buckets. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
  }

  /** The count, exact min/mean/max and the usual percentiles in one object. */
  snapshot(): LatencySnapshot {
    return {
      count: this.#count,
      min: this.min,
      mean: this.mean,
      max: this.#max,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
    };
  }
}
