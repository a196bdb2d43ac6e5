import { describe, expect, it } from "vitest";
import { BreakerRegistry, MAX_BREAKERS } from "./breaker-registry.js";

describe("BreakerRegistry", () => {
  it("keeps at most MAX_BREAKERS keys, dropping the oldest closed one and never an open one", async () => {
    const options = {
      errorThresholdPercentage: 1,
      resetTimeoutMs: 60_000,
      volumeThreshold: 1,
      rollingWindowMs: 10_000,
      waitForProbe: false,
    };
    const registry = new BreakerRegistry(
      options,
      () => true,
      () => {},
      Date.now,
    );
    try {
      await registry
        .get("failing")
        .fire(() => Promise.reject(new Error("down")))
        .catch(() => {});
      expect(registry.states()).toEqual({ failing: "open" });
      for (let i = 0; i < MAX_BREAKERS + 10; i++) registry.get(`key-${i}`);
      const states = registry.states();
      expect(Object.keys(states)).toHaveLength(MAX_BREAKERS);
      expect(states.failing).toBe("open");
      expect(states["key-0"]).toBeUndefined();
      expect(states[`key-${MAX_BREAKERS + 9}`]).toBe("closed");
    } finally {
      registry.shutdown();
    }
  });
});
