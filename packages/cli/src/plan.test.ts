import { describe, expect, it } from "vitest";
import { plan } from "./plan.js";

describe("plan", () => {
  it("120 agents × 4 calls/min do not fit PRO; enterprise fits; a dedicated endpoint is advised", () => {
    const p = plan({ agents: 120, callsPerMinute: 4, tier: "pro" });
    expect(p.demand).toEqual({ perMinute: 480, perWindow: 2400, perSecond: 8 });
    expect(p.quota).toEqual({ perWindow: 1500, utilization: 1.6 });
    expect(p.verdict).toBe("does-not-fit");
    expect(p.smallestFittingTier).toBe("enterprise");
    expect(p.throttledCallsPerMinute).toBeCloseTo(2.5);
    expect(p.swarmClass).toBe("large");
    // The window lets 5 calls/s through; 2 s each → 10 in flight; ×1.5 headroom.
    expect(p.concurrency).toEqual({ averageInFlight: 10, initial: 10, max: 15, rampSeconds: 60 });
    expect(p.dedicatedEndpoint.recommended).toBe(true);
    expect(p.dedicatedEndpoint.reasons.join(" ")).toMatch(/2400 requests per 5-minute window/);
    // 480/min × 60 × 8 h × 30 d = 6.912 M calls × 700 tokens × $0.2/M.
    expect(p.cost.callsPerMonth).toBe(6_912_000);
    expect(p.cost.usageUsd).toBeCloseTo(967.68, 2);
    expect(p.cost.payAsYouGoUsd).toBeCloseTo(965.68, 2);
    expect(p.cost.serverlessTotalUsd).toBeCloseTo(974.68, 2);
    expect(p.cost.endpoints.map((e) => e.monthlyUsd)).toEqual([144, 240, 960]);
  });

  it("a small swarm fits PRO with room to spare and needs no endpoint", () => {
    const p = plan({ agents: 5, callsPerMinute: 2, tier: "pro" });
    expect(p.demand.perWindow).toBe(50);
    expect(p.verdict).toBe("fits");
    expect(p.swarmClass).toBe("small");
    expect(p.dedicatedEndpoint).toEqual({ recommended: false, reasons: [] });
    expect(p.concurrency.max).toBeLessThanOrEqual(5);
    expect(p.advice[0]).toMatch(/^Fits the pro tier/);
  });

  it("between 80 % and 100 % of the window is tight", () => {
    expect(plan({ agents: 50, callsPerMinute: 5.6, tier: "pro" }).verdict).toBe("tight");
  });

  it("the free tier's ceiling of 10 concurrent bounds the ramp", () => {
    const p = plan({ agents: 40, callsPerMinute: 1, tier: "free", latencySeconds: 30 });
    expect(p.concurrency.max).toBe(10);
    expect(p.dedicatedEndpoint.reasons.join(" ")).toMatch(/free tier's 10 concurrent/);
  });

  it("is a pure function with validated input", () => {
    expect(plan({ agents: 10, callsPerMinute: 3, tier: "team" })).toEqual(
      plan({ agents: 10, callsPerMinute: 3, tier: "team" }),
    );
    expect(() => plan({ agents: -1, callsPerMinute: 1, tier: "pro" })).toThrow(TypeError);
    expect(() => plan({ agents: 1, callsPerMinute: 1, tier: "gold" as never })).toThrow(/tier/);
    expect(() => plan({ agents: 1, callsPerMinute: 1, tier: "pro", hoursPerDay: 25 })).toThrow(/hoursPerDay/);
  });
});
