import { describe, expect, it } from "vitest";
import { formatResetDuration, providerLimitHeaders } from "./provider-headers.js";

describe("formatResetDuration", () => {
  it.each([
    [0, "0ms"],
    [850, "850ms"],
    [1_000, "1s"],
    [11_455, "11.455s"],
    [179_560, "2m59.56s"],
    [360_000, "6m0s"],
    [3_600_000, "1h0m0s"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatResetDuration(ms)).toBe(text);
  });
});

describe("providerLimitHeaders", () => {
  const readings = {
    requests: { limit: 60, remaining: 59, resetMs: 1_000 },
    tokens: { limit: 1000, remaining: 10, resetMs: 850 },
  };
  it("writes each style", () => {
    expect(providerLimitHeaders("none", readings)).toEqual({});
    expect(providerLimitHeaders("openai", readings)).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "10",
      "x-ratelimit-reset-tokens": "850ms",
    });
    expect(providerLimitHeaders("together", readings)).toEqual({
      "x-ratelimit-limit": "60",
      "x-ratelimit-remaining": "59",
      "x-ratelimit-reset": "1",
      "x-tokenlimit-limit": "1000",
      "x-tokenlimit-remaining": "10",
    });
  });
});
