import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AxisKind, niceAxis, niceStep } from "./chart-ticks.js";

const kinds: AxisKind[] = ["count", "ms", "usd", "time"];

describe("niceAxis", () => {
  it("speaks durations in ms, s, min or h, never in thousands of ms", () => {
    expect(niceAxis(18_800, "ms").labels).toEqual(["0 s", "5 s", "10 s", "15 s", "20 s"]);
    expect(niceAxis(850, "ms").labels).toEqual(["0 ms", "200 ms", "400 ms", "600 ms", "800 ms", "1000 ms"]);
    expect(niceAxis(7_500_000, "ms").labels).toEqual(["0 h", "0.5 h", "1 h", "1.5 h", "2 h", "2.5 h"]);
    expect(niceAxis(600_000, "ms").labels).toEqual(["0 min", "2 min", "4 min", "6 min", "8 min", "10 min"]);
  });

  it("ends the time axis at the run's end, ticks in s below 2 minutes and in min above", () => {
    const minutes = niceAxis(181, "time", { extend: false });
    expect(minutes).toEqual({
      end: 181,
      ticks: [0, 60, 120, 180],
      labels: ["0 min", "1 min", "2 min", "3 min"],
    });
    expect(niceAxis(10, "time", { extend: false }).labels).toEqual([
      "0 s",
      "2 s",
      "4 s",
      "6 s",
      "8 s",
      "10 s",
    ]);
    expect(niceAxis(0.4, "time", { extend: false }).labels.at(-1)).toBe("0.4 s");
    expect(niceAxis(3_600, "time", { extend: false }).labels).toEqual([
      "0 min",
      "20 min",
      "40 min",
      "60 min",
    ]);
  });

  it("writes counts as 1.2k, 2M and dollars with the digits their step needs", () => {
    expect(niceAxis(1_234, "count").labels).toEqual(["0", "500", "1k", "1.5k"]);
    expect(niceAxis(5e6, "count").labels).toEqual(["0", "1M", "2M", "3M", "4M", "5M"]);
    expect(niceAxis(0.37, "count").labels).toEqual(["0", "0.1", "0.2", "0.3", "0.4"]);
    expect(niceAxis(0.00104, "usd").labels).toEqual(["$0", "$0.0005", "$0.001", "$0.0015"]);
  });

  it("gives an axis of one unit to a chart with nothing above 0", () => {
    expect(niceAxis(0, "count").end).toBe(1);
    expect(niceAxis(Number.NaN, "ms").labels.at(-1)).toBe("1 ms");
    expect(niceAxis(-5, "usd").end).toBeCloseTo(0.01);
  });

  it("has increasing ticks at a 1-2-5 step within its range, with distinct labels and never 'k ms'", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e10, noNaN: true }),
        fc.constantFrom(...kinds),
        fc.boolean(),
        fc.constantFrom(5, 8),
        (max, kind, extend, count) => {
          const axis = niceAxis(max, kind, { extend, count });
          const { ticks, labels, end } = axis;
          expect(ticks[0]).toBe(0);
          for (let i = 1; i < ticks.length; i++) expect(ticks[i]!).toBeGreaterThan(ticks[i - 1]!);
          expect(ticks.at(-1)!).toBeLessThanOrEqual(end * (1 + 1e-9));
          if (extend) {
            expect(end).toBeGreaterThanOrEqual(max * (1 - 1e-9));
            expect(end).toBeLessThanOrEqual(max * 2.5 * (1 + 1e-9));
          } else expect(end).toBe(max);
          expect(ticks.length).toBeGreaterThanOrEqual(extend ? 2 : 1);
          expect(ticks.length).toBeLessThanOrEqual(11);
          expect(new Set(labels).size).toBe(labels.length);
          for (const label of labels) {
            expect(label).not.toMatch(/k ms|e[+-]\d|NaN|undefined/);
            if (kind === "ms" || kind === "time") expect(label).toMatch(/^\d+(\.\d+)? (ms|s|min|h)$/);
          }
          if (kind === "time") expect(labels.join()).not.toMatch(/ms/);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("picks the smallest 1, 2 or 5 × 10ⁿ step at least as large as asked", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e12, noNaN: true }), (raw) => {
        const step = niceStep(raw);
        expect(step).toBeGreaterThanOrEqual(raw * (1 - 1e-9));
        expect(step).toBeLessThanOrEqual(raw * 2.5 * (1 + 1e-9));
        const mantissa = +(step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toFixed(6);
        expect([1, 2, 5]).toContain(mantissa);
      }),
    );
  });
});
