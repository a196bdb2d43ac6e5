import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS } from "./clock.js";
import { closestName, expectDuration, expectKnownKeys } from "./validate.js";

const known = ["retry", "breaker", "budget", "attemptTimeoutMs", "totalTimeoutMs", "maxDelayMs", "queue"];

describe("closestName", () => {
  it.each([
    ["retyr", "retry"], // a swapped pair
    ["rety", "retry"], // a missing letter
    ["breakr", "breaker"],
    ["Budget", "budget"], // case
    ["attempttimeoutms", "attemptTimeoutMs"],
    ["maxDelay", "maxDelayMs"], // a missing unit
    ["queues", "queue"],
  ])("%s → %s", (typo, expected) => {
    expect(closestName(typo, known)).toBe(expected);
  });

  it.each(["zzzzzzzz", "timeout", "x", "concurrency"])("suggests nothing for %s", (key) => {
    expect(closestName(key, known)).toBeUndefined();
  });

  it("finds every known name itself, and never throws", () => {
    for (const name of known) expect(closestName(name, known)).toBe(name);
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (key, names) => {
        const found = closestName(key, names);
        expect(found === undefined || names.includes(found)).toBe(true);
      }),
    );
  });
});

describe("expectKnownKeys", () => {
  it("names the first unknown key and the closest known one", () => {
    expect(() =>
      expectKnownKeys("`retry`", { maxAttempts: 1, maxDelay: 5 }, new Set(["maxAttempts", "maxDelayMs"])),
    ).toThrow(new TypeError("Unknown option `maxDelay` in `retry`; did you mean `maxDelayMs`?"));
    expect(() => expectKnownKeys("`retry`", { maxAttempts: 1 }, new Set(["maxAttempts"]))).not.toThrow();
  });
});

describe("expectDuration", () => {
  it("accepts what a timer can hold and refuses the rest", () => {
    expect(expectDuration("d", MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    expect(expectDuration("d", Number.POSITIVE_INFINITY, 1, true)).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [MAX_TIMER_MS + 1, Number.POSITIVE_INFINITY, Number.NaN, -1, "5"])
      expect(() => expectDuration("d", bad)).toThrow(TypeError);
  });
});
