import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyHeaderText } from "./header-arbitraries.test-support.js";
import { readServerFeedback } from "./server-feedback.js";

const NOW = Date.UTC(1994, 10, 6, 8, 49, 7); // 30 s before RFC 9110's example date

describe("readServerFeedback", () => {
  const hf = { ratelimit: '"api";r=0;t=55', "ratelimit-policy": '"fixed window";"api";q=500;w=300' };
  const expected = { policy: "api", remaining: 0, resetMs: 55_000, quota: 500, windowMs: 300_000 };

  it("joins RateLimit and RateLimit-Policy by name from a WHATWG Headers", () => {
    const headers = new Headers({ ...hf, "Retry-After": "7" });
    expect(readServerFeedback({ status: 429, headers }, NOW)).toEqual({
      status: 429,
      limits: [expected],
      retryAfterMs: 7000,
      upstream: [],
    });
  });

  it("reads plain records case-insensitively, with array values", () => {
    const headers = {
      RateLimit: [hf.ratelimit],
      "RATELIMIT-POLICY": hf["ratelimit-policy"],
      other: undefined,
    };
    expect(readServerFeedback({ headers }, NOW)).toEqual({
      status: undefined,
      limits: [expected],
      retryAfterMs: undefined,
      upstream: [],
    });
  });

  it("leaves quota and window undefined for a policy it was not told about", () => {
    const headers = { ratelimit: '"pages";r=3' };
    expect(readServerFeedback({ status: 200, headers }, NOW).limits).toEqual([
      { policy: "pages", remaining: 3, resetMs: undefined, quota: undefined, windowMs: undefined },
    ]);
  });

  it("falls back to the older drafts as policy ''", () => {
    const legacy = (headers: Record<string, string>) => readServerFeedback({ headers }, NOW).limits;
    const unnamed = { policy: "", remaining: 50, resetMs: 30_000, quota: 100, windowMs: undefined };
    expect(legacy({ ratelimit: "limit=100, remaining=50, reset=30" })).toEqual([unnamed]);
    expect(
      legacy({ "ratelimit-limit": "100, 100;w=60", "ratelimit-remaining": "50", "ratelimit-reset": "30" }),
    ).toEqual([{ ...unnamed, windowMs: 60_000 }]);
    const epoch = String(NOW / 1000 + 30); // GitHub-style absolute reset
    expect(
      legacy({ "ratelimit-limit": "100", "ratelimit-remaining": "50", "ratelimit-reset": epoch }),
    ).toEqual([unnamed]);
    expect(legacy({ ratelimit: "limit=100, remaining=50", "ratelimit-policy": "100;w=60" })).toEqual([
      { ...unnamed, resetMs: undefined, windowMs: 60_000 },
    ]);
  });

  it("reads X-RateLimit-* as the upstream's own limits, never as the account's windows", () => {
    // Together's older names on a 200: they once shrank the whole inference window to 10.
    const together = { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "9", "x-ratelimit-reset": "1" };
    expect(readServerFeedback({ status: 200, headers: together }, NOW)).toMatchObject({
      limits: [],
      upstream: [{ unit: "requests", limit: 10, remaining: 9, resetMs: 1_000 }],
    });
    const openai = {
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1m30.5s",
      "x-ratelimit-limit-tokens": "150000",
      "x-ratelimit-remaining-tokens": "149984",
      "x-ratelimit-reset-tokens": "6ms",
    };
    const { limits, upstream } = readServerFeedback({ status: 429, headers: { ...hf, ...openai } }, NOW);
    expect(limits).toEqual([expected]);
    expect(upstream).toEqual([
      { unit: "requests", period: undefined, limit: 60, remaining: 0, resetMs: 90_500 },
      { unit: "tokens", period: undefined, limit: 150_000, remaining: 149_984, resetMs: 6 },
    ]);
  });

  it("never throws, even when the headers object does", () => {
    const throwing = {
      get() {
        throw new Error("boom");
      },
    };
    const empty = { status: undefined, limits: [], retryAfterMs: undefined, upstream: [] };
    expect(readServerFeedback({ status: 503, headers: throwing }, NOW)).toEqual({ ...empty, status: 503 });
    expect(readServerFeedback({}, NOW)).toEqual(empty);
    expect(readServerFeedback(null as never, NOW)).toEqual(empty);
    expect(readServerFeedback({ status: Number.NaN, headers: 42 as never }, NOW)).toEqual(empty);
  });
});

describe("properties", () => {
  it("never throw on arbitrary input", () => {
    fc.assert(
      fc.property(anyHeaderText, fc.integer(), (text, now) => {
        readServerFeedback({ status: 429, headers: { ratelimit: text, "ratelimit-policy": text } }, now);
        readServerFeedback({ headers: { "x-ratelimit-remaining": text, "retry-after": text } }, now);
      }),
      { numRuns: 2000 },
    );
  });
});
