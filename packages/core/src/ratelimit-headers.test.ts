import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseRateLimit,
  parseRateLimitPolicy,
  parseRetryAfter,
  readServerFeedback,
} from "./ratelimit-headers.js";

const NOW = Date.UTC(1994, 10, 6, 8, 49, 7); // 30 s before RFC 9110's example date

describe("parseRateLimit", () => {
  it("reads Hugging Face's header", () => {
    expect(parseRateLimit('"api";r=0;t=55')).toEqual([{ policy: "api", remaining: 0, resetSeconds: 55 }]);
  });

  it("reads several entries, tokens, partition keys and quoted separators", () => {
    expect(parseRateLimit(' "api" ; r=10 ; t=5 ,daily;r=1;t=7, "a,b;c";r=2;pk=:QUJD:;flag')).toEqual([
      { policy: "api", remaining: 10, resetSeconds: 5 },
      { policy: "daily", remaining: 1, resetSeconds: 7 },
      { policy: "a,b;c", remaining: 2, resetSeconds: undefined, partitionKey: "QUJD" },
    ]);
    expect(parseRateLimit('"say \\"hi\\"";R=3')).toEqual([
      { policy: 'say "hi"', remaining: 3, resetSeconds: undefined },
    ]);
  });

  it("reads the older dictionary form as policy ''", () => {
    expect(parseRateLimit("limit=100, remaining=50, reset=30")).toEqual([
      { policy: "", remaining: 50, resetSeconds: 30 },
    ]);
  });

  it("skips entries with missing, negative, fractional or absurd numbers", () => {
    const header =
      '"a";t=5, "b";r=-1, "c";r=1.5, "d";r=1;t=99999999999, "e";r=x, "g";r=1;t=, "ok";r=1, "f;r=1';
    expect(parseRateLimit(header)).toEqual([{ policy: "ok", remaining: 1, resetSeconds: undefined }]);
    expect(parseRateLimit("limit=100, remaining=-5")).toEqual([]);
  });

  it("returns [] for absent or garbage headers", () => {
    for (const h of [undefined, null, "", " , ;", "garbage here", '"unterminated', "r=1;t=2", "\u0000"]) {
      expect(parseRateLimit(h)).toEqual([]);
    }
  });
});

describe("parseRateLimitPolicy", () => {
  it("reads Hugging Face's header", () => {
    expect(parseRateLimitPolicy('"fixed window";"api";q=500;w=300')).toEqual([
      { kind: "fixed window", policy: "api", quota: 500, windowSeconds: 300 },
    ]);
  });

  it("reads the plain draft-09 form, quota units and the draft-07 form", () => {
    expect(parseRateLimitPolicy('"default";q=100;qu="requests";w=10, burst;q=5, 10;w=1')).toEqual([
      { policy: "default", quota: 100, windowSeconds: 10, quotaUnit: "requests" },
      { policy: "burst", quota: 5, windowSeconds: undefined },
      { policy: "", quota: 10, windowSeconds: 1 },
    ]);
  });

  it("skips invalid entries and never throws on garbage", () => {
    expect(parseRateLimitPolicy('"a";w=10, "b";q=-1, "c";q=1;w=-1, ?1;q=3, "ok";q=1')).toEqual([
      { policy: "ok", quota: 1, windowSeconds: undefined },
    ]);
    expect(parseRateLimitPolicy("\\\\;;==,,")).toEqual([]);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds, including decimals", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(" 1.5 ", NOW)).toBe(1500);
    expect(parseRetryAfter("0", NOW)).toBe(0);
  });

  it("reads the three HTTP-date forms in UTC", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).toBe(30_000);
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(30_000);
    expect(parseRetryAfter("Sun Nov  6 08:49:37 1994", NOW)).toBe(30_000);
  });

  it("clamps a past date to 0", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", NOW)).toBe(0);
  });

  it("returns undefined when absent, garbage, impossible or absurd", () => {
    for (const h of [undefined, null, "", "-5", "soon", "1e3", "Infinity", "x 12", "0x10"]) {
      expect(parseRetryAfter(h, NOW)).toBeUndefined();
    }
    expect(parseRetryAfter("Mon, 30 Feb 1994 08:49:37 GMT", NOW)).toBeUndefined();
    expect(parseRetryAfter("Sun, 06 Nov 1994 25:49:37 GMT", NOW)).toBeUndefined();
    expect(parseRetryAfter("99999999999", NOW)).toBeUndefined();
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", Number.NaN)).toBeUndefined();
  });
});

describe("readServerFeedback", () => {
  const hf = { ratelimit: '"api";r=0;t=55', "ratelimit-policy": '"fixed window";"api";q=500;w=300' };
  const expected = { policy: "api", remaining: 0, resetMs: 55_000, quota: 500, windowMs: 300_000 };

  it("joins RateLimit and RateLimit-Policy by name from a WHATWG Headers", () => {
    const headers = new Headers({ ...hf, "Retry-After": "7" });
    expect(readServerFeedback({ status: 429, headers }, NOW)).toEqual({
      status: 429,
      limits: [expected],
      retryAfterMs: 7000,
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
    });
  });

  it("leaves quota and window undefined for a policy it was not told about", () => {
    const headers = { ratelimit: '"pages";r=3' };
    expect(readServerFeedback({ status: 200, headers }, NOW).limits).toEqual([
      { policy: "pages", remaining: 3, resetMs: undefined, quota: undefined, windowMs: undefined },
    ]);
  });

  it("falls back to the older drafts and X-RateLimit-* as policy ''", () => {
    const legacy = (headers: Record<string, string>) => readServerFeedback({ headers }, NOW).limits;
    const unnamed = { policy: "", remaining: 50, resetMs: 30_000, quota: 100, windowMs: undefined };
    expect(legacy({ ratelimit: "limit=100, remaining=50, reset=30" })).toEqual([unnamed]);
    expect(
      legacy({ "ratelimit-limit": "100, 100;w=60", "ratelimit-remaining": "50", "ratelimit-reset": "30" }),
    ).toEqual([{ ...unnamed, windowMs: 60_000 }]);
    const epoch = String(NOW / 1000 + 30); // GitHub-style absolute reset
    expect(
      legacy({ "x-ratelimit-limit": "100", "x-ratelimit-remaining": "50", "x-ratelimit-reset": epoch }),
    ).toEqual([unnamed]);
    expect(legacy({ ratelimit: "limit=100, remaining=50", "ratelimit-policy": "100;w=60" })).toEqual([
      { ...unnamed, resetMs: undefined, windowMs: 60_000 },
    ]);
  });

  it("never throws, even when the headers object does", () => {
    const throwing = {
      get() {
        throw new Error("boom");
      },
    };
    const empty = { status: undefined, limits: [], retryAfterMs: undefined };
    expect(readServerFeedback({ status: 503, headers: throwing }, NOW)).toEqual({ ...empty, status: 503 });
    expect(readServerFeedback({}, NOW)).toEqual(empty);
    expect(readServerFeedback(null as never, NOW)).toEqual(empty);
    expect(readServerFeedback({ status: Number.NaN, headers: 42 as never }, NOW)).toEqual(empty);
  });
});

describe("properties", () => {
  const anyText = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({
      unit: fc.constantFrom('"', "\\", ",", ";", "=", ":", "?", " ", "-", "1", "r", "q", "a"),
      maxLength: 60,
    }),
  );

  it("never throw on arbitrary input", () => {
    fc.assert(
      fc.property(anyText, fc.integer(), (text, now) => {
        parseRateLimit(text);
        parseRateLimitPolicy(text);
        parseRetryAfter(text, now);
        readServerFeedback({ status: 429, headers: { ratelimit: text, "ratelimit-policy": text } }, now);
        readServerFeedback({ headers: { "x-ratelimit-remaining": text, "retry-after": text } }, now);
      }),
      { numRuns: 2000 },
    );
  });

  // Structured Fields strings are printable ASCII, with `"` and `\` escaped.
  const name = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
  const quote = (s: string) => `"${s.replace(/[\\"]/g, "\\$&")}"`;
  const int = fc.integer({ min: 0, max: 1_000_000_000 });
  const secs = fc.integer({ min: 0, max: 31_536_000 });

  it("round-trip RateLimit entries formatted as Hugging Face does", () => {
    const entry = fc.record({ policy: name, r: int, t: secs });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (entries) => {
        const header = entries.map((e) => `${quote(e.policy)};r=${e.r};t=${e.t}`).join(", ");
        expect(parseRateLimit(header)).toEqual(
          entries.map((e) => ({ policy: e.policy, remaining: e.r, resetSeconds: e.t })),
        );
      }),
    );
  });

  it("round-trip RateLimit-Policy entries formatted as Hugging Face does", () => {
    const entry = fc.record({ kind: name, policy: name, q: int, w: secs });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (entries) => {
        const header = entries.map((e) => `${quote(e.kind)};${quote(e.policy)};q=${e.q};w=${e.w}`).join(",");
        expect(parseRateLimitPolicy(header)).toEqual(
          entries.map((e) => ({ kind: e.kind, policy: e.policy, quota: e.q, windowSeconds: e.w })),
        );
      }),
    );
  });
});
