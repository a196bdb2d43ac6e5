import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyHeaderText } from "./header-arbitraries.test-support.js";
import {
  MAX_UPSTREAM_RESET_MS,
  parseResetDuration,
  readUpstreamLimits,
  type UpstreamLimit,
} from "./provider-limits.js";

const NOW = Date.UTC(2025, 4, 26, 5, 0, 4); // the Date of the OpenAI community thread's response
const NOW_S = NOW / 1000;

function headers(record: Record<string, string>): (name: string) => string | undefined {
  const lower = new Map(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name);
}

const limit = (
  fields: Partial<UpstreamLimit> & Pick<UpstreamLimit, "unit" | "remaining">,
): UpstreamLimit => ({
  period: undefined,
  limit: undefined,
  resetMs: undefined,
  ...fields,
});

describe("parseResetDuration", () => {
  const table: [string, string | undefined, number | undefined][] = [
    // OpenAI, "Rate limits in headers": https://platform.openai.com/docs/guides/rate-limits
    // (sample values `1s`, `6m0s`; `12ms`, `9ms` in https://community.openai.com/t/1268905)
    ["OpenAI 1s", "1s", 1000],
    ["OpenAI 6m0s", "6m0s", 360_000],
    ["OpenAI 12ms", "12ms", 12],
    // Groq, https://console.groq.com/docs/rate-limits (header table: `2m59.56s`, `7.66s`)
    ["Groq 2m59.56s", "2m59.56s", 179_560],
    ["Groq 7.66s", "7.66s", 7660],
    // Go's time.Duration.String(), which both providers' values are: https://pkg.go.dev/time#Duration.String
    ["Go 11.455s", "11.455s", 11_455],
    ["Go 1m30.5s", "1m30.5s", 90_500],
    ["Go 2h0m0s", "2h0m0s", 7_200_000],
    ["Go 1h2m3.5s", "1h2m3.5s", 3_723_500],
    ["Go 850ms", "850ms", 850],
    ["Go 1500µs (micro sign)", "1500µs", 2],
    ["Go 1500μs (Greek mu)", "1500μs", 2],
    ["Go 400us", "400us", 0],
    ["Go 2500000ns", "2500000ns", 3],
    ["Go .5s", ".5s", 500],
    // Cerebras, https://inference-docs.cerebras.ai/support/rate-limits ("Time (in seconds)", floats)
    ["Cerebras minute reset", "11.382867097854614", 11_383],
    ["Cerebras day reset", "33011.382867097855", 33_011_383],
    // Together's legacy `x-ratelimit-reset` and Retry-After style bare seconds
    ["bare seconds", "20", 20_000],
    ["bare fraction", "0.5", 500],
    ["zero", "0", 0],
    ["padded", "  7  ", 7000],
    // Epoch resets, as GitHub-style APIs send (https://docs.pyannote.ai/ratelimits: "UTC epoch seconds")
    ["epoch seconds, 30 s ahead", String(NOW_S + 30), 30_000],
    ["epoch milliseconds, 1.5 s ahead", String(NOW + 1500), 1500],
    ["epoch seconds in the past", String(NOW_S - 3600), 0],
    ["epoch milliseconds in the past", String(NOW - 1), 0],
    // Garbage, negative and too long
    ["undefined", undefined, undefined],
    ["empty", "", undefined],
    ["blank", "   ", undefined],
    ["negative seconds", "-1", undefined],
    ["negative duration", "-1s", undefined],
    ["plus sign", "+1s", undefined],
    ["NaN", "NaN", undefined],
    ["Infinity", "Infinity", undefined],
    ["exponent", "1e3", undefined],
    ["hex", "0x10", undefined],
    ["unit without amount", "s", undefined],
    ["amount without unit inside", "1m30", undefined],
    ["unknown unit", "5d", undefined],
    ["spaces inside", "1m 30s", undefined],
    ["words", "soon", undefined],
    ["a date", "Tue, 10 Sep 2024 23:58:08 GMT", undefined],
    ["three days of seconds", String(3 * 86_400), undefined],
    ["three days as a duration", "72h0m0s", undefined],
    ["epoch three days ahead", String(NOW_S + 3 * 86_400), undefined],
    ["between a wait and an epoch", "999999999", undefined],
    ["too long a text", `${"0".repeat(70)}1`, undefined],
  ];

  it.each(table)("%s: %j", (_name, text, expected) => {
    expect(parseResetDuration(text, NOW)).toBe(expected);
  });

  it("accepts exactly two days and not a millisecond more", () => {
    expect(parseResetDuration("48h", NOW)).toBe(MAX_UPSTREAM_RESET_MS);
    expect(parseResetDuration("48h1ms", NOW)).toBeUndefined();
    expect(MAX_UPSTREAM_RESET_MS).toBe(172_800_000);
  });

  it("gives no epoch reset when now is not a number, but still reads durations", () => {
    expect(parseResetDuration(String(NOW_S + 30), Number.NaN)).toBeUndefined();
    expect(parseResetDuration("7.66s", Number.NaN)).toBe(7660);
  });
});

describe("readUpstreamLimits", () => {
  const table: [string, Record<string, string>, UpstreamLimit[]][] = [
    // OpenAI, https://platform.openai.com/docs/guides/rate-limits ("Rate limits in headers" sample values)
    [
      "OpenAI",
      {
        "x-ratelimit-limit-requests": "60",
        "x-ratelimit-limit-tokens": "150000",
        "x-ratelimit-remaining-requests": "59",
        "x-ratelimit-remaining-tokens": "149984",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-reset-tokens": "6m0s",
      },
      [
        limit({ unit: "requests", limit: 60, remaining: 59, resetMs: 1000 }),
        limit({ unit: "tokens", limit: 150_000, remaining: 149_984, resetMs: 360_000 }),
      ],
    ],
    // Groq, https://console.groq.com/docs/rate-limits: `-requests` is RPD, `-tokens` TPM; the header
    // names carry no period, so none is reported (the docs state it, the headers do not).
    [
      "Groq",
      {
        "X-RateLimit-Limit-Requests": "14400",
        "X-RateLimit-Limit-Tokens": "18000",
        "X-RateLimit-Remaining-Requests": "14370",
        "X-RateLimit-Remaining-Tokens": "17997",
        "X-RateLimit-Reset-Requests": "2m59.56s",
        "X-RateLimit-Reset-Tokens": "7.66s",
        "Retry-After": "2",
      },
      [
        limit({ unit: "requests", limit: 14_400, remaining: 14_370, resetMs: 179_560 }),
        limit({ unit: "tokens", limit: 18_000, remaining: 17_997, resetMs: 7660 }),
      ],
    ],
    // Together (older), https://support.together.ai/en/articles/8988956-rate-limits ("Rate limits in
    // headers": x-ratelimit-limit/-remaining/-reset); x-tokenlimit-* as Together's own example script prints.
    [
      "Together legacy",
      {
        "x-ratelimit-limit": "10",
        "x-ratelimit-remaining": "9",
        "x-ratelimit-reset": "1",
        "x-tokenlimit-limit": "3000",
        "x-tokenlimit-remaining": "2917.5",
      },
      [
        limit({ unit: "requests", limit: 10, remaining: 9, resetMs: 1000 }),
        limit({ unit: "tokens", limit: 3000, remaining: 2917 }),
      ],
    ],
    // Together (current, OpenAI-compatible names), https://docs.together.ai/docs/rate-limits
    [
      "Together current",
      { "x-ratelimit-remaining-requests": "598", "x-ratelimit-reset-requests": "0.1" },
      [limit({ unit: "requests", remaining: 598, resetMs: 100 })],
    ],
    // Cerebras, https://inference-docs.cerebras.ai/support/rate-limits (the example response there)
    [
      "Cerebras",
      {
        "x-ratelimit-limit-requests-day": "1000000000",
        "x-ratelimit-limit-tokens-minute": "1000000000",
        "x-ratelimit-remaining-requests-day": "999997455",
        "x-ratelimit-remaining-tokens-minute": "999998298",
        "x-ratelimit-reset-requests-day": "33011.382867097855",
        "x-ratelimit-reset-tokens-minute": "11.382867097854614",
      },
      [
        limit({ unit: "requests", period: "day", limit: 1e9, remaining: 999_997_455, resetMs: 33_011_383 }),
        limit({ unit: "tokens", period: "minute", limit: 1e9, remaining: 999_998_298, resetMs: 11_383 }),
      ],
    ],
    // Fireworks, https://docs.fireworks.ai/guides/quotas_usage/rate-limits ("Rate limit response headers";
    // `x-ratelimit-over-limit: yes` once over the dynamic limit)
    [
      "Fireworks within its limit",
      { "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "42" },
      [limit({ unit: "requests", limit: 60, remaining: 42 })],
    ],
    [
      "Fireworks over its limit, no remaining",
      { "x-ratelimit-limit-requests": "60", "x-ratelimit-over-limit": "yes" },
      [limit({ unit: "requests", limit: 60, remaining: 0 })],
    ],
    [
      "Fireworks over its limit, only the flag",
      { "X-RateLimit-Over-Limit": " YES " },
      [limit({ unit: "requests", remaining: 0 })],
    ],
    [
      "Fireworks over its limit with a remaining count: the count wins",
      { "x-ratelimit-remaining-requests": "3", "x-ratelimit-over-limit": "yes" },
      [limit({ unit: "requests", remaining: 3 })],
    ],
    ["Fireworks flag other than yes", { "x-ratelimit-over-limit": "no" }, []],
    // Epoch resets, GitHub style: https://docs.syntage.com/guides/api/rate-limiting ("UTC epoch seconds")
    [
      "epoch seconds",
      { "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "56", "X-RateLimit-Reset": String(NOW_S + 44) },
      [limit({ unit: "requests", limit: 60, remaining: 56, resetMs: 44_000 })],
    ],
    // Milliseconds since 1970: https://jigsawstack.com/docs/additional-resources/rate-limit
    [
      "epoch milliseconds",
      { "x-ratelimit-remaining": "45", "x-ratelimit-reset": String(NOW + 250) },
      [limit({ unit: "requests", remaining: 45, resetMs: 250 })],
    ],
    // Azure OpenAI's `-1` (https://github.com/openai/openai-dotnet/issues/838): not a count.
    [
      "Azure -1",
      {
        "x-ratelimit-limit-tokens": "-1",
        "x-ratelimit-remaining-tokens": "-1",
        "x-ratelimit-reset-tokens": "0",
        "x-ratelimit-remaining-requests": "99",
      },
      [limit({ unit: "requests", remaining: 99 })],
    ],
    [
      "a stated but garbage limit voids its entry only",
      {
        "x-ratelimit-limit-tokens": "lots",
        "x-ratelimit-remaining-tokens": "5",
        "x-ratelimit-remaining-requests": "1",
      },
      [limit({ unit: "requests", remaining: 1 })],
    ],
    [
      "an absurd reset voids its entry",
      { "x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "999h" },
      [],
    ],
    ["a limit without remaining is no entry", { "x-ratelimit-limit-requests": "60" }, []],
    ["non-numeric remaining", { "x-ratelimit-remaining-requests": "NaN" }, []],
    ["absurd remaining", { "x-ratelimit-remaining-requests": "9".repeat(17) }, []],
    ["no headers", {}, []],
  ];

  it.each(table)("%s", (_name, record, expected) => {
    expect(readUpstreamLimits(headers(record), NOW)).toEqual(expected);
  });

  it("asks for lower-case names only", () => {
    const asked: string[] = [];
    readUpstreamLimits((name) => {
      asked.push(name);
      return undefined;
    }, NOW);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((n) => n === n.toLowerCase())).toBe(true);
  });

  it("costs a throwing lookup that header only", () => {
    const get = (name: string) => {
      if (name === "x-ratelimit-remaining-tokens") throw new Error("boom");
      return name === "x-ratelimit-remaining-requests" ? "7" : undefined;
    };
    expect(readUpstreamLimits(get, NOW)).toEqual([limit({ unit: "requests", remaining: 7 })]);
  });

  it("ignores a lookup that answers something other than a string", () => {
    const get = (() => 42) as unknown as (name: string) => string | undefined;
    expect(readUpstreamLimits(get, NOW)).toEqual([]);
  });
});

const NAMES = [
  ...["limit", "remaining", "reset"].flatMap((field) => [
    `x-ratelimit-${field}`,
    `x-tokenlimit-${field}`,
    ...["requests", "tokens"].flatMap((unit) => [
      `x-ratelimit-${field}-${unit}`,
      `x-ratelimit-${field}-${unit}-minute`,
      `x-ratelimit-${field}-${unit}-day`,
    ]),
  ]),
  "x-ratelimit-over-limit",
];

const headerValue = fc.oneof(
  anyHeaderText,
  fc.constantFrom("yes", "0", "-1", "1e400", "NaN", "6m0s", "2m59.56s", "48h", "999999999999999"),
  fc.double().map(String),
  fc.nat().map(String),
);

function valid(l: UpstreamLimit): boolean {
  const inRange = (n: number | undefined, max: number) =>
    n === undefined || (Number.isInteger(n) && n >= 0 && n <= max);
  return (
    ["requests", "tokens"].includes(l.unit) &&
    [undefined, "minute", "day"].includes(l.period) &&
    inRange(l.remaining, Number.MAX_SAFE_INTEGER) &&
    inRange(l.limit, Number.MAX_SAFE_INTEGER) &&
    inRange(l.resetMs, MAX_UPSTREAM_RESET_MS)
  );
}

describe("properties", () => {
  it("parseResetDuration never throws and yields an integer in [0, MAX_UPSTREAM_RESET_MS] or undefined", () => {
    fc.assert(
      fc.property(fc.oneof(anyHeaderText, fc.double().map(String)), fc.double(), (text, now) => {
        const ms = parseResetDuration(text, now);
        expect(ms === undefined || (Number.isInteger(ms) && ms >= 0 && ms <= MAX_UPSTREAM_RESET_MS)).toBe(
          true,
        );
        expect(Object.is(ms, -0)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("parseResetDuration reads any Go duration within two days exactly", () => {
    fc.assert(
      fc.property(fc.nat(47), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        const text = `${h}h${m}m${s}.${String(ms).padStart(3, "0")}s`;
        expect(parseResetDuration(text, NOW)).toBe(((h * 60 + m) * 60 + s) * 1000 + ms);
      }),
    );
  });

  it("parseResetDuration makes an epoch in milliseconds relative to now", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1e12 + 1, max: 4e12 }), fc.nat(MAX_UPSTREAM_RESET_MS), (now, delta) => {
        expect(parseResetDuration(String(now + delta), now)).toBe(delta);
      }),
    );
  });

  it("readUpstreamLimits never throws and yields only well-formed, bounded entries", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...NAMES), headerValue), fc.double(), (record, now) => {
        const found = readUpstreamLimits((name) => record[name], now);
        expect(found.length).toBeLessThanOrEqual(8);
        expect(found.every(valid)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("readUpstreamLimits survives a lookup that throws or answers anything", () => {
    fc.assert(
      fc.property(fc.anything(), fc.boolean(), (answer, throws) => {
        const get = () => {
          if (throws) throw answer;
          return answer as string | undefined;
        };
        expect(readUpstreamLimits(get, NOW).every(valid)).toBe(true);
      }),
    );
  });
});
