import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock.js";
import { RetryBudget, type RetryOptions, retryDelay } from "./retry.js";

const options = (random: () => number): RetryOptions => ({
  maxAttempts: 6,
  maxThrottledAttempts: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 16_000,
  budget: false,
  random,
});

describe("retryDelay", () => {
  it("is full jitter over an exponentially growing, capped ceiling", () => {
    expect(
      [1, 2, 3, 4, 5, 6].map((n) =>
        retryDelay(
          n,
          options(() => 0.999_999),
        ),
      ),
    ).toEqual([999, 1_999, 3_999, 7_999, 15_999, 15_999]);
    expect(
      retryDelay(
        3,
        options(() => 0),
      ),
    ).toBe(0);
  });

  it("lets a server hint win, capped at maxDelayMs", () => {
    expect(
      retryDelay(
        1,
        options(() => 0.5),
        55_000,
      ),
    ).toBe(16_000);
    expect(
      retryDelay(
        1,
        options(() => 0.5),
        2_500,
      ),
    ).toBe(2_500);
  });

  it("stays within [0, maxDelayMs] for any retry number and random value (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const delay = retryDelay(
            n,
            options(() => r),
          );
          return delay >= 0 && delay <= 16_000;
        },
      ),
    );
  });
});

describe("RetryBudget", () => {
  it("allows minRetries plus ratio × calls over the window, then recovers as the window slides", async () => {
    const clock = new ManualClock(0);
    const budget = new RetryBudget({ ratio: 0.1, minRetries: 2, windowMs: 10_000 }, clock);
    for (let i = 0; i < 30; i++) budget.recordCall();
    const granted = Array.from({ length: 10 }, () => budget.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(5); // 2 + 0.1 × 30
    await clock.advance(10_000);
    expect(budget.tryRetry()).toBe(true);
  });
});
