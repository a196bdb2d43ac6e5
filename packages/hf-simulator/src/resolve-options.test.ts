import { describe, expect, it } from "vitest";
import { resolveOptions } from "./resolve-options.js";
import { startSimulator } from "./server.js";

describe("resolveOptions", () => {
  it("fills documented defaults", () => {
    const options = resolveOptions();
    expect(options).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      seed: 1,
      timeScale: 1,
      acceptAnyToken: false,
      windowMs: 300_000,
      windowMode: "fixed",
      retryAfter: 1,
      payAsYouGo: false,
      spike: { floor: 20, factor: 3, baselineSeconds: 5 },
      coldStart: { mode: "delay", idleMs: 900_000, durationMs: 2_000 },
      latency: { baseMs: 150, jitter: 0.2 },
    });
    expect(options.quotas.free).toEqual({ api: 1000, resolvers: 2400, pages: 80, inference: 300 });
    expect(options.quotas.enterprise.api).toBe(6000);
    expect(Object.keys(options.tokens)).toEqual([
      "hf_test_free",
      "hf_test_pro",
      "hf_test_team",
      "hf_test_enterprise",
    ]);
  });

  it("merges quota overrides per tier", () => {
    expect(resolveOptions({ quotas: { pro: { api: 5 } } }).quotas.pro).toEqual({
      api: 5,
      resolvers: 12000,
      pages: 400,
      inference: 1500,
    });
  });

  it.each([
    [{ timeScale: -1 }, "Expected `timeScale` to be a positive number, got -1"],
    [{ timeScale: 0 }, "Expected `timeScale` to be a positive number, got 0"],
    [{ port: 1.5 }, "Expected `port` to be a non-negative integer, got 1.5"],
    [
      { windowMode: "sliding" as never },
      'Expected `windowMode` to be one of "fixed", "rolling", got "sliding"',
    ],
    [{ retryAfter: 2 }, "Expected `retryAfter` to be a probability between 0 and 1, got 2"],
    [{ acceptAnyToken: "gold" as never }, "Expected `acceptAnyToken` to be one of"],
    [{ quotas: { free: { api: -1 } } }, "Expected `quotas.free.api` to be a non-negative integer, got -1"],
    [
      { faults: { errorRate: 1.5 } },
      "Expected `faults.errorRate` to be a probability between 0 and 1, got 1.5",
    ],
    [{ tokens: { hf_x: { tier: "vip" as never } } }, "Expected `tokens.hf_x.tier` to be one of"],
    [{ maxConcurrent: 0 }, "Expected `maxConcurrent` to be an integer ≥ 1, got 0"],
  ])("rejects %o", (options, message) => {
    expect(() => resolveOptions(options)).toThrow(TypeError);
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it("makes startSimulator reject before listening", async () => {
    await expect(startSimulator({ timeScale: -1 })).rejects.toThrow(
      "Expected `timeScale` to be a positive number, got -1",
    );
  });
});
