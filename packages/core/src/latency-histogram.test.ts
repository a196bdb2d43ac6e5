import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram.js";

function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function expectClose(actual: number, exact: number): void {
  // 1% relative or 1 µs absolute, plus float slack for values converted to microseconds.
  expect(Math.abs(actual - exact)).toBeLessThanOrEqual(Math.max(exact * 0.01, 0.001) + 1e-9);
}

describe("LatencyHistogram", () => {
  it("reports zeros when empty", () => {
    const h = new LatencyHistogram();
    expect(h.snapshot()).toEqual({ count: 0, min: 0, mean: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0 });
  });

  it("tracks count, exact min, mean and max", () => {
    const h = new LatencyHistogram();
    for (const v of [5, 1, 12.5, 3]) h.record(v);
    expect([h.count, h.min, h.mean, h.max]).toEqual([4, 1, 5.375, 12.5]);
  });

  it("ignores NaN, negative and infinite values", () => {
    const h = new LatencyHistogram();
    for (const v of [Number.NaN, -1, -0.001, Number.POSITIVE_INFINITY]) h.record(v);
    expect(h.count).toBe(0);
    h.record(0);
    expect([h.count, h.percentile(50)]).toEqual([1, 0]);
  });

  it("computes nearest-rank percentiles of 1..100 ms", () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    for (const p of [1, 50, 90, 95, 99]) expectClose(h.percentile(p), p);
    expect(h.percentile(100)).toBe(100);
    expect(h.percentile(0)).toBeCloseTo(1, 1);
  });

  it("clamps p to [0, 100] and results to the maximum", () => {
    const h = new LatencyHistogram();
    h.record(7.77);
    expect(h.percentile(150)).toBe(7.77);
    expect(h.percentile(-5)).toBe(7.77);
    expect(h.percentile(Number.NaN)).toBe(7.77);
  });

  it("covers 1 µs to an hour, and clamps longer values into the top bucket", () => {
    const h = new LatencyHistogram();
    for (const v of [0.001, 3_600_000]) h.record(v);
    expectClose(h.percentile(50), 0.001);
    expect(h.percentile(100)).toBe(3_600_000);
    h.record(10 * 3_600_000);
    expect(h.max).toBe(36_000_000);
  });

  it("forgets everything on reset", () => {
    const h = new LatencyHistogram();
    h.record(42);
    h.reset();
    expect(h.snapshot()).toMatchObject({ count: 0, max: 0, p99: 0 });
    h.record(2);
    expect([h.min, h.max]).toEqual([2, 2]);
  });

  it("is within 1% (or 1 µs) of the exact nearest-rank percentile", () => {
    const value = fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 3_600_000, noNaN: true }),
      fc.integer({ min: 0, max: 60_000 }),
    );
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p) => {
          const h = new LatencyHistogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          expectClose(h.percentile(p), exactPercentile(sorted, p));
          expect(h.percentile(100)).toBe(sorted.at(-1));
        },
      ),
      { numRuns: 500 },
    );
  });
});
