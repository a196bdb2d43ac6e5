import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyHeaderText } from "./header-arbitraries.test-support.js";
import { parseRetryAfter } from "./retry-after.js";

const NOW = Date.UTC(1994, 10, 6, 8, 49, 7); // 30 s before RFC 9110's example date

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

describe("properties", () => {
  it("never throw on arbitrary input", () => {
    fc.assert(
      fc.property(anyHeaderText, fc.integer(), (text, now) => {
        parseRetryAfter(text, now);
      }),
      { numRuns: 2000 },
    );
  });
});
