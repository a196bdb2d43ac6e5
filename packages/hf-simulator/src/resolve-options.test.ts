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
      retryAfter: 0,
      inferenceRateLimitHeaders: false,
      payAsYouGo: false,
      spike: { floor: 20, factor: 3, baselineSeconds: 5 },
      coldStart: { mode: "delay", idleMs: 900_000, durationMs: 2_000 },
      latency: { baseMs: 150, jitter: 0.2 },
    });
    // hub-docs rate-limits table (September 2025); inference has no window by default.
    const none = Number.POSITIVE_INFINITY;
    expect(options.quotas).toEqual({
      anonymous: { api: 500, resolvers: 3000, pages: 100, inference: 0 },
      free: { api: 1000, resolvers: 5000, pages: 200, inference: none },
      pro: { api: 2500, resolvers: 12000, pages: 400, inference: none },
      team: { api: 3000, resolvers: 20000, pages: 400, inference: none },
      enterprise: { api: 6000, resolvers: 50000, pages: 600, inference: none },
      "enterprise-plus": { api: 10000, resolvers: 100000, pages: 1000, inference: none },
      academia: { api: 3000, resolvers: 20000, pages: 400, inference: none },
    });
    expect(options.maxConcurrent.pro).toBe(none);
    expect(Object.keys(options.tokens)).toEqual([
      "hf_test_free",
      "hf_test_pro",
      "hf_test_team",
      "hf_test_enterprise",
      "hf_test_enterprise-plus",
      "hf_test_academia",
    ]);
  });

  it("merges quota overrides per tier", () => {
    expect(resolveOptions({ quotas: { pro: { api: 5, inference: 40 } } }).quotas.pro).toEqual({
      api: 5,
      resolvers: 12000,
      pages: 400,
      inference: 40,
    });
    expect(resolveOptions({ maxConcurrent: true }).maxConcurrent.free).toBe(128);
    expect(resolveOptions({ maxConcurrent: { pro: 3 } }).maxConcurrent).toMatchObject({
      pro: 3,
      free: Number.POSITIVE_INFINITY,
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
    [
      { providers: { together: { headers: "groq" as never } } },
      'Expected `providers.together.headers` to be one of "none", "openai", "together", got "groq"',
    ],
    [
      { providers: { together: { headerlessShare: 2 } } },
      "Expected `providers.together.headerlessShare` to be a probability",
    ],
    [{ endpoints: [{ name: "Bad Name" }] }, "Expected `endpoints[].name` to be 1-32 lowercase"],
    [
      { endpoints: [{ name: "e", model: "nope/nope" }] },
      "Expected `endpoints.e.model` to be a catalogue model",
    ],
    [
      { endpoints: [{ name: "e", minReplicas: 3, maxReplicas: 2 }] },
      "Expected `endpoints.e.maxReplicas` to be ≥ minReplicas",
    ],
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
