import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatRateLimit,
  formatRateLimitPolicy,
  parseRateLimit,
  parseRateLimitPolicy,
} from "./rate-limit-headers.js";

describe("RateLimit headers", () => {
  it("formats exactly like Hugging Face's 429", () => {
    expect(formatRateLimit({ bucket: "api", remaining: 0, resetSeconds: 55 })).toBe('"api";r=0;t=55');
    expect(
      formatRateLimitPolicy({ policy: "fixed window", bucket: "api", quota: 500, windowSeconds: 300 }),
    ).toBe('"fixed window";"api";q=500;w=300');
  });

  it("parses HF's values", () => {
    expect(parseRateLimit('"api";r=0;t=55')).toEqual({ bucket: "api", remaining: 0, resetSeconds: 55 });
    expect(parseRateLimitPolicy('"fixed window";"api";q=500;w=300')).toEqual({
      policy: "fixed window",
      bucket: "api",
      quota: 500,
      windowSeconds: 300,
    });
  });

  it("rejects malformed values with undefined", () => {
    for (const bad of ["", "api;r=0;t=1", '"api";r=x;t=1', '"api";r=1', '"unterminated;r=1;t=2'])
      expect(parseRateLimit(bad)).toBeUndefined();
    expect(parseRateLimitPolicy('"fixed window";q=1;w=2')).toBeUndefined();
  });

  it("round-trips any value (property)", () => {
    const nat = fc.nat({ max: 1_000_000 });
    fc.assert(
      fc.property(fc.string(), nat, nat, (bucket, remaining, resetSeconds) => {
        const value = { bucket, remaining, resetSeconds };
        expect(parseRateLimit(formatRateLimit(value))).toEqual(value);
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), nat, nat, (policy, bucket, quota, windowSeconds) => {
        const value = { policy, bucket, quota, windowSeconds };
        expect(parseRateLimitPolicy(formatRateLimitPolicy(value))).toEqual(value);
      }),
    );
  });

  it("never throws on arbitrary input (property)", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parseRateLimit(text);
        parseRateLimitPolicy(text);
      }),
    );
  });
});
