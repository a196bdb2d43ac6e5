import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyHeaderText } from "./header-arbitraries.test-support.js";
import { parseRateLimit, parseRateLimitPolicy } from "./ratelimit-headers.js";

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

describe("properties", () => {
  it("never throw on arbitrary input", () => {
    fc.assert(
      fc.property(anyHeaderText, (text) => {
        parseRateLimit(text);
        parseRateLimitPolicy(text);
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
