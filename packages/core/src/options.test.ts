import { describe, expect, it } from "vitest";
import { createGovernor } from "./governor.js";
import type { GovernorOptions } from "./options.js";
import { presets } from "./presets.js";

const bad: [string, GovernorOptions, string][] = [
  ["name", { name: "" }, 'Expected `name` to be a non-empty string, got `""` (string)'],
  [
    "window limit",
    { quotas: { api: [{ limit: 0, windowMs: 1_000 }] } },
    "Expected `quotas.api[0].limit` to be an integer ≥ 1, got `0` (number)",
  ],
  [
    "window kind",
    { quotas: { api: [{ limit: 1, windowMs: 1_000, kind: "rolling" as "fixed" }] } },
    'Expected `quotas.api[0].kind` to be one of "fixed", "sliding", got `"rolling"` (string)',
  ],
  [
    "duplicate window",
    {
      quotas: {
        api: [
          { limit: 1, windowMs: 1_000 },
          { limit: 2, windowMs: 1_000 },
        ],
      },
    },
    'Expected `quotas.api[1].name` to be unique within its request class, got `"1s"` (string)',
  ],
  [
    "quotas not a list",
    { quotas: { api: 5 as never } },
    "Expected `quotas.api` to be an array of windows, got `5` (number)",
  ],
  [
    "initial > max",
    { concurrency: { initial: 20, max: 10 } },
    "Expected `concurrency.initial` to be at most concurrency.max (10), got `20` (number)",
  ],
  [
    "negative ramp",
    { concurrency: { rampMs: -1 } },
    "Expected `concurrency.rampMs` to be a duration in ms from 0 to 2147483647 (2³¹−1 ms, about 24.8 days, is the longest a timer can hold), got `-1` (number)",
  ],
  [
    "adaptive decrease",
    { concurrency: { adaptive: { decrease: 1.5, min: 1 } } },
    "Expected `concurrency.adaptive.decrease` to be a number from 0.01 to 0.99, got `1.5` (number)",
  ],
  [
    "maxAttempts",
    { retry: { maxAttempts: 0 } },
    "Expected `retry.maxAttempts` to be an integer ≥ 1, got `0` (number)",
  ],
  [
    "retry random",
    { retry: { random: 3 as never } },
    "Expected `retry.random` to be a function, got `3` (number)",
  ],
  [
    "breaker threshold",
    { breaker: { errorThresholdPercentage: 150 } },
    "Expected `breaker.errorThresholdPercentage` to be a number from 0 to 100, got `150` (number)",
  ],
  [
    "budget",
    { budget: { monthlyUsd: Number.NaN } },
    "Expected `budget.monthlyUsd` to be a finite number ≥ 0, got `NaN` (number)",
  ],
  [
    "attempt timeout",
    { attemptTimeoutMs: 0 },
    "Expected `attemptTimeoutMs` to be a duration in ms from 1 to 2147483647 or Infinity (2³¹−1 ms, about 24.8 days, is the longest a timer can hold), got `0` (number)",
  ],
  [
    "clock",
    { clock: {} as never },
    "Expected `clock` to be a Clock ({ now, setTimeout, clearTimeout }), got an object",
  ],
  ["store", { store: null as never }, "Expected `store` to be a QuotaStore, got `null`"],
];

describe("options", () => {
  it.each(bad)("rejects a bad %s at construction with a TypeError naming it", (_label, options, message) => {
    expect(() => createGovernor(options)).toThrow(new TypeError(message));
  });

  it("rejects an unknown tier", () => {
    expect(() => presets.huggingface({ tier: "gold" as "pro" })).toThrow(TypeError);
  });

  it("uses the Hub's rate-limit table of September 2025", () => {
    const limits = (tier: "free" | "pro" | "team" | "enterprise") => {
      const quotas = presets.huggingface({ tier }).quotas ?? {};
      return ["api", "resolvers", "pages"].map((bucket) => quotas[bucket]?.[0]?.limit);
    };
    expect(limits("free")).toEqual([1_000, 5_000, 200]);
    expect(limits("pro")).toEqual([2_500, 12_000, 400]);
    expect(limits("team")).toEqual([3_000, 20_000, 400]);
    expect(limits("enterprise")).toEqual([6_000, 50_000, 600]);
  });

  it("accepts every preset as is", async () => {
    for (const tier of ["free", "pro", "team", "enterprise"] as const) {
      const governor = createGovernor({ name: tier, ...presets.huggingface({ tier }) });
      expect(governor.stats().quota).toHaveProperty("api");
      await governor.close();
    }
  });

  it("rejects a run without a function", async () => {
    const governor = createGovernor();
    await expect(governor.run(undefined as never)).rejects.toThrow(TypeError);
    await governor.close();
  });
});
