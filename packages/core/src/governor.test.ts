import { afterEach, describe, expect, it, vi } from "vitest";
import type { AttemptContext } from "./attempt-context.js";
import { markFinal } from "./classify.js";
import {
  GovernorClosedError,
  isBudgetExceededError,
  isCircuitOpenError,
  isThrottledError,
  isTimeoutError,
  UpstreamError,
} from "./errors.js";
import { createGovernor, type Governor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";
import type { GovernorOptions } from "./options.js";

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
  vi.useRealTimers();
});

function setup(options: GovernorOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 22));
  const governor = createGovernor({
    name: "test",
    clock,
    retry: { random: () => 0.5, budget: false },
    breaker: false,
    concurrency: false,
    ...options,
  });
  governors.push(governor);
  return { clock, governor };
}

const httpError = (status: number, retryAfterMs?: number) =>
  new UpstreamError(`HTTP ${status}`, status, { retryAfterMs });

describe("governor.run", () => {
  it("returns the function's value and counts one attempt", async () => {
    const { governor } = setup();
    await expect(governor.run(async ({ attempt }) => `ok ${attempt}`)).resolves.toBe("ok 1");
    expect(governor.stats()).toMatchObject({ attempts: 1, outcomes: { success: 1 }, calls: { inFlight: 0 } });
  });

  it("accepts a function that returns a plain value or throws synchronously", async () => {
    const { governor } = setup();
    await expect(governor.run(() => 42)).resolves.toBe(42);
    await expect(
      governor.run(() => {
        throw new Error("sync boom");
      }),
    ).rejects.toThrow("sync boom");
    expect(governor.stats().outcomes).toMatchObject({ success: 1, error: 1 });
  });

  it("retries 429 and 503 with backoff, honouring the server's Retry-After", async () => {
    const { clock, governor } = setup({
      retry: { random: () => 0.5, budget: false, baseDelayMs: 1_000 },
      // The retry's timing alone: the rate a limit-less 429 teaches is the upstream tests' subject.
      upstream: false,
    });
    const answers = [httpError(429, 7_000), httpError(503), "done"];
    const starts: number[] = [];
    const t0 = clock.now();
    const call = governor.run(async () => {
      starts.push(clock.now() - t0);
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    });
    await clock.runAll();
    await expect(call).resolves.toBe("done");
    // Retry-After 7 s wins for the 429; the 503 gets full-jitter backoff: 0.5 × 2 × 1 s.
    expect(starts).toEqual([0, 7_000, 8_000]);
    expect(governor.stats()).toMatchObject({
      attempts: 3,
      retries: { rate_limited: 1, overloaded: 1 },
      throttles: { server_429: 1, server_503: 1 },
    });
  });

  it("never retries 400/401/403/404/422, nor an error it cannot classify", async () => {
    const { governor } = setup();
    for (const status of [400, 401, 403, 404, 422]) {
      let calls = 0;
      const error = await governor
        .run(async () => {
          calls++;
          throw httpError(status);
        })
        .catch((e: unknown) => e);
      expect((error as UpstreamError).status).toBe(status);
      expect(calls).toBe(1);
    }
    let calls = 0;
    await expect(
      governor.run(async () => {
        calls++;
        throw new Error("application bug");
      }),
    ).rejects.toThrow("application bug");
    expect(calls).toBe(1);
  });

  it("turns a 402 into BudgetExceededError without retrying, and refuses further calls this month", async () => {
    const { governor } = setup({ budget: { monthlyUsd: 10 } });
    let calls = 0;
    const error = await governor
      .run(async () => {
        calls++;
        throw httpError(402);
      })
      .catch((e: unknown) => e);
    expect(isBudgetExceededError(error)).toBe(true);
    expect(calls).toBe(1);
    const next = await governor.run(async () => "never").catch((e: unknown) => e);
    expect(isBudgetExceededError(next)).toBe(true);
  });

  it("after a 402, refuses calls that were already waiting for a slot, with or without a budget", async () => {
    const { governor } = setup({ concurrency: { initial: 1, max: 1, rampMs: 0 } });
    let sent = 0;
    const first = governor.run(async () => {
      sent++;
      throw httpError(402);
    });
    const queued = governor.run(async () => {
      sent++;
      return "sent anyway";
    });
    expect(isBudgetExceededError(await first.catch((e: unknown) => e))).toBe(true);
    const refused = await queued.catch((e: unknown) => e);
    expect(isBudgetExceededError(refused)).toBe(true);
    expect((refused as { details: { status: number } }).details.status).toBe(402);
    expect(sent).toBe(1);
  });

  it("does not retry an error marked final (a nested call that had its retries)", async () => {
    const { governor } = setup();
    let calls = 0;
    const error = await governor
      .run(async () => {
        calls++;
        throw markFinal(httpError(503));
      })
      .catch((e: unknown) => e);
    expect((error as UpstreamError).status).toBe(503);
    expect(calls).toBe(1);
  });

  it("gives up after maxThrottledAttempts 429s, as ThrottledError, and after maxAttempts other failures", async () => {
    const { clock, governor } = setup({
      retry: { maxAttempts: 3, maxThrottledAttempts: 5, random: () => 0, budget: false },
    });
    const failing = (status: number) => {
      let calls = 0;
      const call = governor
        .run(async () => {
          calls++;
          throw new UpstreamError(`HTTP ${status}`, status, { retryAfterMs: 10 });
        })
        .catch((e: unknown) => e);
      return { call, calls: () => calls };
    };
    const throttled = failing(429);
    await clock.runAll();
    const error = await throttled.call;
    expect(throttled.calls()).toBe(5);
    expect(isThrottledError(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(UpstreamError);
    expect(governor.stats().outcomes.rate_limited).toBe(1);
    const overloaded = failing(503);
    await clock.runAll();
    expect(((await overloaded.call) as UpstreamError).status).toBe(503);
    expect(overloaded.calls()).toBe(3);
  });

  it("a throttle does not spend one of maxAttempts: 429s between 503s still leave three 503 attempts", async () => {
    const { clock, governor } = setup({ retry: { maxAttempts: 3, random: () => 0, budget: false } });
    const answers = [503, 429, 429, 503, 429, 503];
    let calls = 0;
    const call = governor
      .run(async () => {
        calls++;
        const status = answers.shift()!;
        throw new UpstreamError(`HTTP ${status}`, status, { retryAfterMs: 10 });
      })
      .catch((e: unknown) => e);
    await clock.runAll();
    expect(((await call) as UpstreamError).status).toBe(503);
    expect(calls).toBe(6);
  });

  it("paces retries past the swarm-wide retry budget instead of failing the call", async () => {
    const { clock, governor } = setup({
      retry: { maxAttempts: 6, random: () => 0, budget: { ratio: 0, minRetries: 2, windowMs: 10_000 } },
    });
    const starts: number[] = [];
    const t0 = clock.now();
    const call = governor
      .run(async () => {
        starts.push(clock.now() - t0);
        if (starts.length < 6) throw httpError(503);
        return "sixth";
      })
      .catch((e: unknown) => e);
    await clock.runAll();
    expect(await call).toBe("sixth");
    // No 10-second window holds more than the budget's two retries.
    const retries = starts.slice(1);
    for (const at of retries)
      expect(retries.filter((t) => t >= at && t < at + 10_000).length).toBeLessThanOrEqual(2);
    expect(retries.at(-1)!).toBeGreaterThanOrEqual(20_000);
  });

  it("fails a retry past the budget when the budget has no room before the call's deadline", async () => {
    const { clock, governor } = setup({
      totalTimeoutMs: 5_000,
      retry: { maxAttempts: 10, random: () => 0, budget: { ratio: 0, minRetries: 2, windowMs: 10_000 } },
    });
    let calls = 0;
    const call = governor
      .run(async () => {
        calls++;
        throw httpError(503);
      })
      .catch((e: unknown) => e);
    await clock.runAll();
    expect(((await call) as UpstreamError).status).toBe(503);
    expect(calls).toBe(3); // the first attempt and the budget's two retries
  });

  it("times out an attempt that never settles, aborts its signal and retries", async () => {
    const { clock, governor } = setup({
      attemptTimeoutMs: 1_000,
      retry: { maxAttempts: 2, random: () => 0, budget: false },
    });
    const signals: AbortSignal[] = [];
    const call = governor.run(({ signal, attempt }) => {
      signals.push(signal);
      return attempt === 1 ? new Promise<string>(() => {}) : Promise.resolve("second");
    });
    await clock.advance(1_000);
    await clock.runAll();
    await expect(call).resolves.toBe("second");
    expect(signals[0]?.aborted).toBe(true);
    expect(isTimeoutError(signals[0]?.reason)).toBe(true);
    expect(governor.stats().retries).toEqual({ timeout: 1 });
  });

  it("settles a call that never settles at its total timeout, exactly once", async () => {
    const { clock, governor } = setup({ attemptTimeoutMs: Infinity, totalTimeoutMs: 5_000 });
    const settled = vi.fn();
    const call = governor.run(() => new Promise(() => {})).then(settled, settled);
    await clock.advance(5_000);
    await call;
    expect(settled).toHaveBeenCalledTimes(1);
    expect(isTimeoutError(settled.mock.calls[0]?.[0])).toBe(true);
    expect(governor.stats().calls.inFlight).toBe(0);
  });

  it("cancels on the caller's signal: while waiting for a permit, and during the attempt", async () => {
    const { governor } = setup({ quotas: { inference: [{ limit: 1, windowMs: 60_000 }] } });
    await governor.run(async () => "takes the only permit");
    const waiting = new AbortController();
    const queued = governor.run(async () => "never", { signal: waiting.signal });
    waiting.abort(new Error("user gave up"));
    await expect(queued).rejects.toThrow("user gave up");

    const { governor: g2 } = setup();
    const running = new AbortController();
    let seen: AbortSignal | undefined;
    const inFlight = g2.run(
      ({ signal }) => {
        seen = signal;
        return new Promise(() => {});
      },
      { signal: running.signal },
    );
    running.abort(new Error("stop now"));
    await expect(inFlight).rejects.toThrow("stop now");
    expect(seen?.aborted).toBe(true);
    expect(g2.stats().outcomes.aborted).toBe(1);
  });

  it("makes calls wait for the window (not fail) and spreads them over windows", async () => {
    const { clock, governor } = setup({ quotas: { inference: [{ limit: 2, windowMs: 10_000 }] } });
    const t0 = clock.now();
    const finished: number[] = [];
    const calls = Array.from({ length: 5 }, () => governor.run(async () => finished.push(clock.now() - t0)));
    await clock.runAll();
    await Promise.all(calls);
    expect(finished).toEqual([0, 0, 10_000, 10_000, 20_000]);
    expect(governor.stats().throttles.local_window).toBe(3);
  });

  it("refuses with ThrottledError when the permit would come after the call's deadline", async () => {
    const { governor } = setup({
      quotas: { inference: [{ limit: 1, windowMs: 60_000 }] },
      totalTimeoutMs: 10_000,
    });
    await governor.run(async () => 1);
    const error = await governor.run(async () => 2).catch((e: unknown) => e);
    expect(isThrottledError(error)).toBe(true);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(60_000);
  });
});

describe("server feedback", () => {
  const headers = (remaining: number, reset: number, quota: number) => ({
    RateLimit: `"api";r=${remaining};t=${reset}`,
    "RateLimit-Policy": `"fixed window";"api";q=${quota};w=300`,
  });

  it("converges to the server's quota within one window when the configured one is too high", async () => {
    const { clock, governor } = setup({ quotas: { api: [{ limit: 1_000, windowMs: 300_000 }] } });
    const info = { requestClass: "api" } as const;
    await governor.run(({ observe }) => observe({ status: 200, headers: headers(9, 300, 10) }), info);
    // Ten per window really: the next nine pass, the tenth waits for the server's reset.
    const t0 = clock.now();
    const times: number[] = [];
    const calls = Array.from({ length: 10 }, () =>
      governor.run(async () => times.push(clock.now() - t0), info),
    );
    await clock.runAll();
    await Promise.all(calls);
    expect(times.filter((t) => t === 0)).toHaveLength(9);
    expect(times[9]).toBe(300_000);
  });

  it("converges when the configured quota is too low", async () => {
    const { governor } = setup({ quotas: { api: [{ limit: 2, windowMs: 300_000 }] } });
    const info = { requestClass: "api" } as const;
    await governor.run(({ observe }) => observe({ status: 200, headers: headers(499, 290, 500) }), info);
    const calls = Array.from({ length: 100 }, () => governor.run(async () => 1, info));
    await Promise.all(calls);
    expect(governor.stats().throttles.local_window).toBe(0);
    expect(governor.stats().quota.api?.remaining).toBe(399);
  });

  it("a 429 with RateLimit empties the window until its reset, and the retry waits for it", async () => {
    const { clock, governor } = setup({ quotas: { api: [{ limit: 500, windowMs: 300_000 }] } });
    const t0 = clock.now();
    const starts: number[] = [];
    const call = governor.run(
      async ({ attempt, observe }) => {
        starts.push(clock.now() - t0);
        if (attempt === 1) {
          observe({ status: 429, headers: headers(0, 55, 500) });
          throw httpError(429);
        }
        return "after reset";
      },
      { requestClass: "api" },
    );
    await clock.runAll();
    await expect(call).resolves.toBe("after reset");
    expect(starts).toEqual([0, 55_000]);
  });

  // A fixed window of 4 per 300 s whose first request is refused with a 503 stating the
  // window: counted against it (`counts`) or not (a spike detector in front of the window).
  function spikyServer(clock: ManualClock, counts: boolean) {
    const t0 = clock.now();
    let used = 0;
    const log: { at: number; status: number }[] = [];
    let window = 0;
    const serve = async ({ observe }: AttemptContext) => {
      const at = clock.now() - t0;
      if (Math.floor(at / 300_000) !== window) [window, used] = [Math.floor(at / 300_000), 0];
      const first = log.length === 0;
      const status = first ? 503 : used < 4 ? 200 : 429;
      if (status === 200 || (first && counts)) used++;
      log.push({ at, status });
      observe({ status, headers: headers(4 - used, 300 - (at % 300_000) / 1000, 4) });
      if (status !== 200) throw httpError(status);
      return status;
    };
    return { serve, log };
  }

  it("a 503 that states the window gives its permit back when the server did not count it", async () => {
    const { clock, governor } = setup({ retry: false, quotas: { api: [{ limit: 4, windowMs: 300_000 }] } });
    const info = { requestClass: "api" } as const;
    const { serve, log } = spikyServer(clock, false);
    await governor.run(serve, info).catch(() => {});
    const calls = Array.from({ length: 4 }, () => governor.run(serve, info));
    await clock.runAll();
    await Promise.all(calls);
    // The four the window still holds go at once; without the refund the fourth would wait 300 s.
    expect(log).toEqual([{ at: 0, status: 503 }, ...Array(4).fill({ at: 0, status: 200 })]);
  });

  it("a 503 the server did count: its next count is adopted, and nothing is over-admitted", async () => {
    const { clock, governor } = setup({ retry: false, quotas: { api: [{ limit: 4, windowMs: 300_000 }] } });
    const info = { requestClass: "api" } as const;
    const { serve, log } = spikyServer(clock, true);
    await governor.run(serve, info).catch(() => {});
    for (let i = 0; i < 4; i++) {
      const call = governor.run(serve, info);
      await clock.runAll();
      await call;
    }
    // Three left after the counted 503 (spread over the window, as its headers ask), the
    // fourth after the server's reset: no 429.
    expect(log.map((r) => r.status)).toEqual([503, 200, 200, 200, 200]);
    expect(log.slice(0, 4).every((r) => r.at < 300_000)).toBe(true);
    expect(log[4]!.at).toBeGreaterThanOrEqual(300_000);
  });

  it("governor.observe accepts a WHATWG Headers object", async () => {
    const { governor } = setup({ quotas: { api: [{ limit: 500, windowMs: 300_000 }] } });
    governor.observe(
      { status: 200, headers: new Headers({ RateLimit: '"api";r=7;t=30' }) },
      { requestClass: "api" },
    );
    const snapshot = await governor.snapshot();
    expect(snapshot.windows.api?.[0]).toMatchObject({ remaining: 7 });
  });
});

describe("budget", () => {
  it("reserves the estimate, reconciles with the reported cost, refuses what does not fit", async () => {
    const { governor } = setup({ budget: { monthlyUsd: 1 } });
    await governor.run(
      async ({ reportUsage }) => reportUsage({ costUsd: 0.25, inputTokens: 10, outputTokens: 5 }),
      {
        estimatedCostUsd: 0.5,
      },
    );
    expect((await governor.snapshot()).credits).toMatchObject({
      spentUsd: 0.25,
      reservedUsd: 0,
      remainingUsd: 0.75,
    });
    const refused = await governor.run(async () => "x", { estimatedCostUsd: 0.8 }).catch((e: unknown) => e);
    expect(isBudgetExceededError(refused)).toBe(true);
    expect(governor.stats().creditsSpentUsd).toBe(0.25);
  });

  it("asks the estimator when a call carries no estimate, and survives a faulty one", async () => {
    const { governor } = setup({
      budget: {
        monthlyUsd: 1,
        estimateUsd: (info) => {
          if (info.model === "broken") throw new Error("estimator bug");
          return info.model === "big" ? 2 : undefined;
        },
      },
    });
    const refused = await governor.run(async () => "x", { model: "big" }).catch((e: unknown) => e);
    expect(isBudgetExceededError(refused)).toBe(true);
    expect((refused as { details: { requestedUsd: number } }).details.requestedUsd).toBe(2);
    await expect(governor.run(async () => "ok", { model: "broken" })).resolves.toBe("ok");
    // No cost reported: the default estimate (0.001) is what the successful call spent.
    expect((await governor.snapshot()).credits?.spentUsd).toBeCloseTo(0.001, 9);
  });

  it("releases the reservation of a failed call that reported no cost", async () => {
    const { governor } = setup({ budget: { monthlyUsd: 1 } });
    await governor.run(async () => Promise.reject(httpError(400)), { estimatedCostUsd: 0.9 }).catch(() => {});
    expect((await governor.snapshot()).credits).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });
});

describe("breaker", () => {
  it("opens on upstream failures, fails fast with CircuitOpenError, ignores 429s, and closes after a probe", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 22) });
    const governor = createGovernor({
      name: "breaker",
      retry: false,
      concurrency: false,
      upstream: false,
      breaker: {
        volumeThreshold: 4,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 10_000,
        rollingWindowMs: 60_000,
        waitForProbe: false,
      },
    });
    governors.push(governor);
    const fail = (status: number) =>
      governor.run(async () => Promise.reject(httpError(status)), { provider: "p" });
    for (let i = 0; i < 6; i++) await fail(429).catch(() => {});
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    // 429s count as successes for the breaker: 3 failures make 3 of 9 attempts, under 50%...
    for (let i = 0; i < 3; i++) await fail(500).catch(() => {});
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    // ...but a 4th in a row (volumeThreshold failures in a row) opens it at once.
    await fail(500).catch(() => {});
    expect(governor.stats().breakers).toEqual({ p: "open" });
    expect(governor.stats().throttles.breaker_open).toBe(0);
    let sent = false;
    const refused = await governor
      .run(
        async () => {
          sent = true;
        },
        { provider: "p" },
      )
      .catch((e: unknown) => e);
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(sent).toBe(false);
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBe(10_000);
    expect(governor.stats().throttles.breaker_open).toBe(1);
    // Another provider is not affected.
    await expect(governor.run(async () => "fine", { provider: "q" })).resolves.toBe("fine");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(governor.stats().breakers.p).toBe("half-open");
    await expect(governor.run(async () => "probe", { provider: "p" })).resolves.toBe("probe");
    expect(governor.stats().breakers.p).toBe("closed");
  });

  // On fake time: only the breaker between the caller and its function, failing fast.
  const streakGovernor = (name: string) => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 22) });
    const governor = createGovernor({
      name,
      retry: false,
      concurrency: false,
      upstream: false,
      breaker: { volumeThreshold: 10, rollingWindowMs: 60_000, waitForProbe: false },
    });
    governors.push(governor);
    return governor;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("stays closed for one burst refused at once by a concurrency cap, opens when the failures go on over rounds", async () => {
    const governor = streakGovernor("cap");
    // A busy spell first: the rolling window's share of failures stays under 50% throughout.
    for (let i = 0; i < 40; i++) await governor.run(async () => "ok", { provider: "p" });
    // A cap of 5: 20 sent at once, 15 refused with a 503 before the 5 it holds answer.
    let held = 0;
    const capped = () =>
      governor.run(
        async () => {
          if (++held > 5) {
            held--;
            return Promise.reject(httpError(503));
          }
          await sleep(100);
          held--;
          return "ok";
        },
        { provider: "p" },
      );
    const burst = Array.from({ length: 20 }, () =>
      capped().then(
        () => "ok",
        () => "503",
      ),
    );
    await vi.advanceTimersByTimeAsync(0);
    // 15 failures in a row, more than volumeThreshold, but all of one round: still closed...
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    await vi.advanceTimersByTimeAsync(100);
    expect((await Promise.all(burst)).filter((r) => r === "ok")).toHaveLength(5);
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    // ...while an outage fails what is sent after its first failures: 10 failures over 3 rounds open it.
    const down = () => governor.run(async () => Promise.reject(httpError(503)), { provider: "p" });
    await Promise.all(Array.from({ length: 8 }, () => down().catch(() => {})));
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    await down().catch(() => {});
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    await down().catch(() => {});
    expect(governor.stats().breakers).toEqual({ p: "open" });
  });

  it("opens on failures of one round that go on twice as long as answers take (an outage behind a queue)", async () => {
    const governor = streakGovernor("slow-outage");
    // Answers take 100 ms.
    for (let i = 0; i < 40; i++) {
      const call = governor.run(() => sleep(100).then(() => "ok"), { provider: "p" });
      await vi.advanceTimersByTimeAsync(100);
      await call;
    }
    // 30 calls through the breaker at once, all one round, failing one every 20 ms (as a queue
    // inside the breaker lets them reach a down upstream one at a time).
    const calls = Array.from({ length: 30 }, (_, i) =>
      governor
        .run(() => sleep(20 * (i + 1)).then(() => Promise.reject(httpError(503))), { provider: "p" })
        .catch(() => "failed"),
    );
    // The 10th failure comes 180 ms after the first: not yet twice an answer's time.
    await vi.advanceTimersByTimeAsync(200);
    expect(governor.stats().breakers).toEqual({ p: "closed" });
    // The 11th, 200 ms after the first: the run lasted twice as long as answers take.
    await vi.advanceTimersByTimeAsync(20);
    expect(governor.stats().breakers).toEqual({ p: "open" });
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(calls);
  });

  it("resumes at the limit before the outage when the breaker closes, not with a new ramp", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 22) });
    const governor = createGovernor({
      name: "ramp",
      retry: false,
      concurrency: { initial: 2, max: 20, rampMs: 1_000, adaptive: { decrease: 0.5, min: 1 } },
      breaker: {
        volumeThreshold: 3,
        errorThresholdPercentage: 10,
        resetTimeoutMs: 5_000,
        rollingWindowMs: 60_000,
        waitForProbe: false,
      },
      // The breaker alone: no hold of the upstream between the 503s.
      upstream: { outagePauseMs: 0 },
    });
    governors.push(governor);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(governor.stats().concurrency?.limit).toBe(20);
    // The outage's 503s cut the limit (20 → 10 → 5 → 2) before the breaker opens.
    for (let i = 0; i < 3; i++)
      await governor.run(async () => Promise.reject(httpError(503))).catch(() => {});
    expect(governor.stats().breakers.inference).toBe("open");
    expect(governor.stats().concurrency?.limit).toBe(2);
    await vi.advanceTimersByTimeAsync(5_000);
    await governor.run(async () => "probe");
    expect(governor.stats().breakers.inference).toBe("closed");
    expect(governor.stats().concurrency?.limit).toBe(20);
  });
});

describe("close", () => {
  it("rejects queued and running calls with GovernorClosedError and leaves no timers", async () => {
    const { clock, governor } = setup({
      quotas: { inference: [{ limit: 1, windowMs: 60_000 }] },
      concurrency: { initial: 1, max: 1, rampMs: 0 },
    });
    const running = governor.run(() => new Promise(() => {}));
    const queued = governor.run(async () => "never");
    await clock.advance(0);
    await governor.close();
    await expect(running).rejects.toBeInstanceOf(GovernorClosedError);
    await expect(queued).rejects.toBeInstanceOf(GovernorClosedError);
    await expect(governor.run(async () => 1)).rejects.toBeInstanceOf(GovernorClosedError);
    expect(clock.pendingTimers).toBe(0);
    await governor.close(); // idempotent
  });
});

describe("holdSlot", () => {
  it("keeps the concurrency slot until the stream is released", async () => {
    const { governor } = setup({ concurrency: { initial: 1, max: 1, rampMs: 0 } });
    let release!: () => void;
    const stream = await governor.run(async ({ holdSlot }) => {
      release = holdSlot();
      return "stream";
    });
    expect(stream).toBe("stream");
    expect(governor.stats().concurrency).toMatchObject({ inFlight: 1 });
    expect(governor.stats().calls.inFlight).toBe(1);
    const next = governor.run(async () => "next");
    expect(governor.stats().concurrency?.queued).toBe(1);
    release();
    await expect(next).resolves.toBe("next");
    expect(governor.stats().concurrency).toMatchObject({ inFlight: 0, queued: 0 });
    expect(governor.stats().outcomes.success).toBe(2);
  });

  it("gives a held slot back when the governor closes or the caller aborts", async () => {
    const { governor } = setup({ concurrency: { initial: 2, max: 2, rampMs: 0 } });
    const controller = new AbortController();
    await governor.run(
      async ({ holdSlot }) => {
        holdSlot();
        return "stream";
      },
      { signal: controller.signal },
    );
    await governor.run(async ({ holdSlot }) => {
      holdSlot();
      return "another stream";
    });
    expect(governor.stats().concurrency?.inFlight).toBe(2);
    controller.abort(new Error("reader went away"));
    expect(governor.stats().concurrency?.inFlight).toBe(1);
    await governor.close();
    expect(governor.stats().concurrency?.inFlight).toBe(0);
    expect(governor.stats().calls.inFlight).toBe(0);
  });

  it("gives the slot back at the call's total deadline if the stream is never released", async () => {
    const { clock, governor } = setup({
      concurrency: { initial: 1, max: 1, rampMs: 0 },
      totalTimeoutMs: 30_000,
    });
    await governor.run(async ({ holdSlot }) => {
      holdSlot();
      return "abandoned";
    });
    expect(governor.stats().concurrency?.inFlight).toBe(1);
    await clock.advance(30_000);
    expect(governor.stats().concurrency?.inFlight).toBe(0);
  });
});
