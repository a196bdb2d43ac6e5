import { afterEach, describe, expect, it } from "vitest";
import {
  isBudgetExceededError,
  isCircuitOpenError,
  isQueueFullError,
  isTimeoutError,
  UpstreamError,
} from "../errors.js";
import { createGovernor, type Governor } from "../governor.js";
import { ManualClock } from "../manual-clock.js";
import type { Policy, PolicyKit } from "../policy.js";
import { attemptTimeoutPolicy } from "./attempt-timeout.js";
import { breakerPolicy } from "./breaker.js";
import { budgetPolicy } from "./budget.js";
import { concurrencyPolicy } from "./concurrency.js";
import { quotaPolicy } from "./quota.js";
import { retryPolicy } from "./retry.js";

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

/** A governor whose whole pipeline is the one policy `make` builds. */
function alone(make: (kit: PolicyKit) => Policy) {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const governor = createGovernor({ name: "alone", clock, policies: (_defaults, kit) => [make(kit)] });
  governors.push(governor);
  return { clock, governor };
}

describe("each policy alone", () => {
  it("budget: reserves the estimate, settles with the reported cost, refuses what does not fit", async () => {
    const { governor } = alone((kit) => budgetPolicy(kit, { monthlyUsd: 0.01, defaultEstimateUsd: 0.004 }));
    expect(governor.policies.map((p) => p.name)).toEqual(["budget"]);
    await governor.run(({ reportUsage }) => reportUsage({ costUsd: 0.001 }));
    await governor.run(() => "no usage reported: the estimate is charged");
    const third = governor.run(() => "fits: 0.005 spent, 0.004 reserved");
    await expect(governor.run(() => "does not fit")).rejects.toSatisfy(isBudgetExceededError);
    await third;
    const { credits } = await governor.snapshot();
    expect(credits?.spentUsd).toBeCloseTo(0.009, 9);
    expect(credits?.reservedUsd).toBeCloseTo(0, 9);
  });

  it("retry: makes another attempt after a 503, waiting its backoff on the governor's clock", async () => {
    const { clock, governor } = alone((kit) =>
      retryPolicy(kit, { maxAttempts: 3, baseDelayMs: 1_000, random: () => 0.5, budget: false }),
    );
    const starts: number[] = [];
    const call = governor.run(({ attempt }) => {
      starts.push(clock.now());
      if (attempt < 3) throw new UpstreamError("HTTP 503", 503);
      return attempt;
    });
    await clock.runAll();
    await expect(call).resolves.toBe(3);
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 500, 1_500]);
    expect(governor.stats()).toMatchObject({ attempts: 3, retries: { overloaded: 2 } });
  });

  it("breaker: opens after failures and then fails fast without calling the function", async () => {
    const { governor } = alone((kit) =>
      breakerPolicy(kit, {
        volumeThreshold: 2,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 60_000,
        waitForProbe: false,
      }),
    );
    let called = 0;
    const failing = () => {
      called++;
      throw new UpstreamError("HTTP 500", 500);
    };
    for (let i = 0; i < 3; i++) await governor.run(failing, { provider: "p" }).catch(() => {});
    const before = called;
    await expect(governor.run(failing, { provider: "p" })).rejects.toSatisfy(isCircuitOpenError);
    expect(called).toBe(before);
    expect(governor.stats().breakers).toEqual({ p: "open" });
    expect(governor.stats().throttles.breaker_open).toBeGreaterThan(0);
  });

  it("quota: a caller waits for the next window instead of failing", async () => {
    const { clock, governor } = alone((kit) =>
      quotaPolicy(kit, { quotas: { inference: [{ limit: 2, windowMs: 10_000 }] } }),
    );
    const done: number[] = [];
    const calls = Array.from({ length: 5 }, () => governor.run(() => done.push(clock.now())));
    await clock.runAll();
    await Promise.all(calls);
    const t0 = done[0]!;
    expect(done.map((t) => Math.round((t - t0) / 10_000))).toEqual([0, 0, 1, 1, 2]);
    expect(governor.stats().throttles.local_window).toBe(3);
  });

  it("concurrency: never more in flight than the limit; a full queue refuses", async () => {
    const { clock, governor } = alone((kit) =>
      concurrencyPolicy(kit, { initial: 2, max: 2, rampMs: 0, maxQueue: 3 }),
    );
    let inFlight = 0;
    let peak = 0;
    const work = async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 100));
      inFlight--;
    };
    const calls = Array.from({ length: 5 }, () => governor.run(work));
    await expect(governor.run(work)).rejects.toSatisfy(isQueueFullError);
    await clock.runAll();
    await Promise.all(calls);
    expect(peak).toBe(2);
    expect(governor.stats().concurrency).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("attempt timeout: abandons an attempt that never settles and aborts its signal", async () => {
    const { clock, governor } = alone(() => attemptTimeoutPolicy(1_000));
    let signal: AbortSignal | undefined;
    const call = governor.run((ctx) => {
      signal = ctx.signal;
      return new Promise<never>(() => {});
    });
    const timedOut = expect(call).rejects.toSatisfy(isTimeoutError);
    await clock.advance(1_000);
    await timedOut;
    expect(signal?.aborted).toBe(true);
  });
});
