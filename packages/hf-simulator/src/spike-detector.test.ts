import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpikeDetector } from "./spike-detector.js";

const DEFAULTS = { floor: 20, factor: 3, baselineSeconds: 5 };

/** Arrivals of a swarm whose concurrency ramps 0 → `peak` over `rampSeconds`, each call lasting `callSeconds`. */
function rampArrivals(peak: number, rampSeconds: number, callSeconds: number): number[] {
  const times: number[] = [];
  for (let second = 0; second < rampSeconds; second++) {
    const rate = Math.ceil((peak * (second + 1)) / rampSeconds / callSeconds);
    for (let i = 0; i < rate; i++) times.push(second * 1000 + Math.floor((i * 1000) / rate));
  }
  return times;
}

describe("SpikeDetector", () => {
  it("lets `floor` arrivals of an instant 0 → 100 burst through and rejects the rest", () => {
    const detector = new SpikeDetector(DEFAULTS);
    const rejected = Array.from({ length: 100 }, () => detector.arrive("k", 5_000)).filter(Boolean).length;
    expect(rejected).toBe(80);
  });

  it("passes a linear ramp 0 → 100 concurrent over 60 s without a rejection", () => {
    const detector = new SpikeDetector(DEFAULTS);
    const rejected = rampArrivals(100, 60, 1).filter((t) => detector.arrive("k", t));
    expect(rejected).toEqual([]);
  });

  it("keeps keys apart and forgets on reset", () => {
    const detector = new SpikeDetector({ floor: 1, factor: 0, baselineSeconds: 1 });
    expect(detector.arrive("a", 0)).toBe(false);
    expect(detector.arrive("b", 0)).toBe(false);
    expect(detector.arrive("a", 0)).toBe(true);
    detector.reset();
    expect(detector.arrive("a", 0)).toBe(false);
  });

  it("property: any ramp to ≤ 100 concurrent over ≥ 60 s passes, any instant burst ≥ 40 is mostly rejected", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 60, max: 180 }),
        fc.constantFrom(0.5, 1, 2, 5),
        (peak, rampSeconds, callSeconds) => {
          const detector = new SpikeDetector(DEFAULTS);
          expect(rampArrivals(peak, rampSeconds, callSeconds).some((t) => detector.arrive("k", t))).toBe(
            false,
          );
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 500 }), fc.nat({ max: 1e6 }), (burst, at) => {
        const detector = new SpikeDetector(DEFAULTS);
        const rejected = Array.from({ length: burst }, () => detector.arrive("k", at)).filter(Boolean).length;
        expect(rejected).toBe(burst - 20);
      }),
    );
  });
});
