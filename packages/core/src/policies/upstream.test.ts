import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { AttemptContext } from "../attempt-context.js";
import { UpstreamError } from "../errors.js";
import { createGovernor, type Governor } from "../governor.js";
import { ManualClock } from "../manual-clock.js";
import { type GovernorOptions, resolveOptions } from "../options.js";
import { MAX_SERVER_WAIT_MS } from "../server-wait.js";
import { MAX_UPSTREAM_KEYS } from "./upstream.js";

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

function setup(options: GovernorOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const governor = createGovernor({
    name: "upstream",
    clock,
    retry: { random: () => 0.5, budget: false, maxAttempts: 3 },
    breaker: false,
    concurrency: false,
    ...options,
  });
  governors.push(governor);
  return { clock, governor };
}

/**
 * A leaky bucket on the governor's clock, as nginx's `limit_req` (`rate`, `burst`, nodelay):
 * a request over it gets a 429 with no header at all.
 */
function leakyBucket(clock: ManualClock, perSecond: number, burst: number) {
  let excess = 0;
  let last = clock.now();
  const counts = { ok: 0, refused: 0 };
  const serve = (): string => {
    const now = clock.now();
    excess = Math.max(0, excess - ((now - last) * perSecond) / 1000);
    last = now;
    if (excess + 1 > burst + 1) {
      counts.refused++;
      throw new UpstreamError("HTTP 429 Too Many Requests", 429);
    }
    excess += 1;
    counts.ok++;
    return "ok";
  };
  return { serve, counts };
}

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });

describe("learning from silence", () => {
  it("a swarm against a header-less leaky bucket converges on its rate: every call done, few 429s", async () => {
    const { clock, governor } = setup({ retry: { random: () => 0.5, budget: false } });
    const bucket = leakyBucket(clock, 10, 2);
    const cuts: number[] = [];
    governor.on("upstreamRate", (e) => cuts.push(e.ratePerSecond));
    const agents = Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 15; i++) await governor.run(bucket.serve, { provider: "p" });
    });
    const all = Promise.all(agents);
    await clock.runAll(1_000_000);
    await all;
    expect(bucket.counts.ok).toBe(300);
    // 300 answers at 10 per second take 30 s; the learned rate stays near it.
    const rate = (await governor.snapshot()).upstreams.p?.ratePerSecond ?? 0;
    expect(rate).toBeGreaterThan(5);
    expect(rate).toBeLessThan(15);
    expect(cuts.length).toBeGreaterThan(0);
    expect(bucket.counts.refused / (bucket.counts.ok + bucket.counts.refused)).toBeLessThan(0.1);
  });

  it("keeps each upstream's rate apart: a throttling provider does not slow another", async () => {
    const { clock, governor } = setup();
    const slow = leakyBucket(clock, 1, 0);
    const calls = [0, 1, 2].map(() => governor.run(slow.serve, { provider: "slow" }).catch(() => "lost"));
    await clock.advance(0);
    await clock.advance(0);
    const t0 = clock.now();
    await expect(governor.run(() => "fast", { provider: "fast" })).resolves.toBe("fast");
    expect(clock.now()).toBe(t0);
    expect((await governor.snapshot()).upstreams.fast?.ratePerSecond).toBeUndefined();
    await clock.runAll();
    await Promise.all(calls);
    expect((await governor.snapshot()).upstreams.slow?.ratePerSecond).toBeGreaterThan(0);
  });

  it("gives a refused attempt's account permit back: only answered attempts spend the window", async () => {
    const { clock, governor } = setup({ quotas: { inference: [{ limit: 5, windowMs: 60_000 }] } });
    let n = 0;
    const call = governor.run(() => {
      if (++n < 3) throw new UpstreamError("HTTP 429", 429);
      return "third";
    });
    await clock.advance(30_000); // well inside the window
    await expect(call).resolves.toBe("third");
    expect((await governor.snapshot()).windows.inference?.[0]?.remaining).toBe(4);
  });

  it("keeps the permit of a 429 that the account's RateLimit headers explained", async () => {
    const { clock, governor } = setup({ quotas: { inference: [{ limit: 5, windowMs: 60_000 }] } });
    const call = governor
      .run(({ observe }: AttemptContext) => {
        observe({ status: 429, headers: headers({ ratelimit: '"inference";r=0;t=30' }) });
        throw new UpstreamError("HTTP 429", 429);
      })
      .catch((e: unknown) => e);
    await clock.advance(1_000);
    expect((await governor.snapshot()).windows.inference?.[0]?.remaining).toBe(0);
    await clock.runAll();
    await call;
  });
});

describe("provider headers", () => {
  it("waits for an exhausted provider window's reset and never touches the account's window", async () => {
    const { clock, governor } = setup({ quotas: { inference: [{ limit: 1_500, windowMs: 300_000 }] } });
    const openai = {
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "2s",
      // Together's older name on the same answer: the provider's, not Hugging Face's.
      "x-ratelimit-limit": "10",
      "x-ratelimit-remaining": "9",
    };
    const starts: number[] = [];
    const t0 = clock.now();
    const call = governor.run(
      ({ attempt, observe }) => {
        starts.push(clock.now() - t0);
        if (attempt > 1) return "after the reset";
        observe({ status: 429, headers: headers(openai) });
        throw new UpstreamError("HTTP 429", 429);
      },
      { provider: "groq" },
    );
    await clock.runAll();
    await expect(call).resolves.toBe("after the reset");
    expect(starts).toEqual([0, 2_000]);
    const snapshot = await governor.snapshot();
    expect(snapshot.windows.inference?.[0]?.limit).toBe(1_500);
    expect(snapshot.upstreams.groq?.windows.map((w) => w.name).sort()).toEqual(["requests"]);
  });

  it("takes estimated tokens from a provider's token window and settles them with the usage", async () => {
    const { clock, governor } = setup();
    const tokens = (remaining: number) => ({
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": String(remaining),
      "x-ratelimit-reset-tokens": "10s",
    });
    await governor.run(
      ({ observe, reportUsage }) => {
        observe({ status: 200, headers: headers(tokens(300)) });
        reportUsage({ inputTokens: 50, outputTokens: 50 });
      },
      { provider: "together", estimatedTokens: 200 },
    );
    // 300 left: a 250-token call goes at once, the next one waits for the reset.
    const t0 = clock.now();
    await governor.run(() => "fits", { provider: "together", estimatedTokens: 250 });
    expect(clock.now()).toBe(t0);
    const next = governor.run(() => "waited", { provider: "together", estimatedTokens: 250 });
    await clock.runAll();
    await expect(next).resolves.toBe("waited");
    expect(clock.now() - t0).toBeGreaterThanOrEqual(10_000);
  });

  it("a body's 'try again in' pauses that provider for everyone, time-scaled", async () => {
    const { clock, governor } = setup({ headerTimeScale: 2 });
    const error = Object.assign(new Error("rate limited"), {
      status: 429,
      body: { error: { message: "Rate limit reached. Please try again in 8s." } },
    });
    let first = true;
    const starts: number[] = [];
    const t0 = clock.now();
    const run = () =>
      governor.run(
        () => {
          starts.push(clock.now() - t0);
          if (first) {
            first = false;
            throw error;
          }
          return "ok";
        },
        { provider: "novita" },
      );
    const a = run();
    await clock.advance(0);
    const b = run();
    await clock.runAll();
    await Promise.all([a, b]);
    // 8 server seconds at twice the wall clock's speed: nobody goes before 4 s; then the
    // rate the 429 taught (it stated no limit) spaces the two.
    expect(starts[1]).toBe(4_000);
    expect(starts[2]).toBeGreaterThanOrEqual(4_000);
    expect((await governor.snapshot()).upstreams.novita?.ratePerSecond).toBeGreaterThan(0);
  });
});

describe("cold starts", () => {
  const loading = () =>
    Object.assign(new Error("HTTP 503"), {
      status: 503,
      httpResponse: { status: 503, body: { error: "Model org/m is currently loading", estimated_time: 20 } },
    });

  it("waits out a model that is loading: no breaker failure, no AIMD cut, every caller waits", async () => {
    const { clock, governor } = setup({
      breaker: { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 60_000 },
      concurrency: { initial: 8, max: 8, rampMs: 0 },
    });
    const loadedAt = clock.now() + 20_000;
    const sent: number[] = [];
    const model = () => {
      sent.push(clock.now());
      if (clock.now() < loadedAt) throw loading();
      return "loaded";
    };
    const calls = Array.from({ length: 8 }, () => governor.run(model, { provider: "hf-inference" }));
    await clock.runAll();
    await expect(Promise.all(calls)).resolves.toEqual(Array(8).fill("loaded"));
    expect(governor.stats().breakers).toEqual({ "hf-inference": "closed" });
    expect(governor.stats().concurrency?.limit).toBe(8);
    // The first wave hit the loading model; after it, nobody sent before the estimate.
    expect(sent.filter((t) => t < loadedAt).length).toBeLessThanOrEqual(8);
    expect(governor.stats().retries).toEqual({ loading: sent.length - 8 });
  });
});

describe("bounds", () => {
  it("keeps at most MAX_UPSTREAM_KEYS upstreams, forgetting the least recently used", async () => {
    const { governor } = setup();
    for (let i = 0; i < MAX_UPSTREAM_KEYS + 50; i++) await governor.run(() => "ok", { provider: `p${i}` });
    await governor.run(() => "ok", { provider: "p100" });
    const keys = Object.keys((await governor.snapshot()).upstreams);
    expect(keys.length).toBe(MAX_UPSTREAM_KEYS);
    expect(keys).toContain("p100");
    expect(keys).toContain(`p${MAX_UPSTREAM_KEYS + 49}`);
    expect(keys).not.toContain("p0");
  });

  it("no provider header on a 429 holds a call back longer than MAX_SERVER_WAIT_MS", async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom("999h", "1e308", "-5", "NaN", "4000000000", "9999999999999", "2m59.56s"),
    );
    await fc.assert(
      fc.asyncProperty(value, value, value, async (limit, remaining, reset) => {
        const { clock, governor } = setup({ retry: { maxAttempts: 2, random: () => 0, budget: false } });
        const h = {
          "x-ratelimit-limit-requests": limit,
          "x-ratelimit-remaining-requests": remaining,
          "x-ratelimit-reset-requests": reset,
          "x-ratelimit-remaining": remaining,
          "x-ratelimit-reset": reset,
        };
        const starts: number[] = [];
        const call = governor
          .run(
            ({ attempt, observe }) => {
              starts.push(clock.now());
              if (attempt > 1) return "second";
              observe({ status: 429, headers: headers(h) });
              throw new UpstreamError("HTTP 429", 429);
            },
            { provider: "x" },
          )
          .catch(() => "refused");
        await clock.runAll();
        await call;
        const waited = (starts[1] ?? starts[0]!) - starts[0]!;
        expect(Number.isFinite(waited) && waited >= 0 && waited <= MAX_SERVER_WAIT_MS).toBe(true);
        await governor.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe("learned bursting", () => {
  // When the last of `n` concurrent calls is answered, from the first one's start.
  async function lastDone(governor: Governor, clock: ManualClock, n: number, fn = () => "ok") {
    const t0 = clock.now();
    let last = t0;
    const calls = Array.from({ length: n }, () =>
      governor.run(fn).then(() => {
        last = Math.max(last, clock.now());
      }),
    );
    await clock.runAll();
    await Promise.all(calls);
    return last - t0;
  }

  // 60 calls against a known fixed window of 30 per 10 s: the quota-bound minimum is one
  // window (the first 30 at once, the rest at the next reset).
  const fixed = (widen: boolean) =>
    setup({ quotas: { inference: [{ limit: 30, windowMs: 10_000, smoothing: { burst: 1, widen } }] } });

  it("spends a tolerant fixed window early once answers keep coming; smooth without widen", async () => {
    const learned = fixed(true);
    const smooth = fixed(false);
    const learnedMs = await lastDone(learned.governor, learned.clock, 60);
    const smoothMs = await lastDone(smooth.governor, smooth.clock, 60);
    expect(learnedMs).toBeLessThanOrEqual(1.15 * 10_000);
    // Smooth: the window's average rate, 3 per second, for all 60.
    expect(smoothMs).toBeGreaterThanOrEqual(19_000);
  });

  it("halves the learned burst at each 503, back to the configured one, then learns again", async () => {
    const { clock, governor } = setup({
      retry: false,
      quotas: { inference: [{ limit: 1_000, windowMs: 1_000_000, smoothing: { burst: 1 } }] },
    });
    // 1 per second on average; the learned pace grows while the 40 are answered.
    await lastDone(governor, clock, 40);
    expect(await lastDone(governor, clock, 10)).toBeLessThan(500);
    // 40 answers doubled it to 32 or more: six 503s, each sent after the last one came
    // back, bring it back to 1.
    for (let i = 0; i < 6; i++) {
      const failing = governor.run(() => Promise.reject(new UpstreamError("HTTP 503", 503))).catch(() => {});
      await clock.runAll();
      await failing;
    }
    await clock.advance(1_000);
    // Narrowed to 1: the next 10 start at the average rate again (1 per second) and widen
    // anew as they are answered (1, 2, 4 at once): seconds instead of no wait at all.
    expect(await lastDone(governor, clock, 10)).toBeGreaterThanOrEqual(2_000);
  });

  it("narrows once for the 503s of one burst, however many there were", async () => {
    const { clock, governor } = setup({
      retry: false,
      quotas: { inference: [{ limit: 1_000, windowMs: 1_000_000, smoothing: { burst: 1 } }] },
    });
    await lastDone(governor, clock, 40);
    await lastDone(governor, clock, 10);
    // Six refused a second after they went, all admitted before the first refusal came back.
    const slowRefusal = () =>
      new Promise<never>((_, reject) =>
        clock.setTimeout(() => reject(new UpstreamError("HTTP 503", 503)), 1_000),
      );
    const refused = Array.from({ length: 6 }, () => governor.run(slowRefusal).catch(() => {}));
    await clock.runAll();
    await Promise.all(refused);
    await clock.advance(1_000);
    // Halved once (from 32 to 16 times the average rate): ten go within a second, where six
    // halvings would pace them at the average rate (the test above: 2 s or more).
    expect(await lastDone(governor, clock, 10)).toBeLessThan(1_000);
  });
});

describe("waiting through an outage", () => {
  it("fails fast with CircuitOpenError when the call's deadline comes before the probe", async () => {
    const { governor } = setup({
      retry: false,
      breaker: { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 60_000 },
    });
    await governor.run(() => Promise.reject(new UpstreamError("HTTP 500", 500))).catch(() => {});
    expect(governor.stats().breakers.inference).toBe("open");
    const refused = await governor
      .run(() => "never sent", { totalTimeoutMs: 1_000 })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "circuit_open" });
  });
});

describe("an upstream that is down", () => {
  // Down from `from` for `forMs`: every request answers a bare 503 at once; the others take 100 ms.
  function outage(clock: ManualClock, from: number, forMs: number) {
    const sent: { at: number; down: boolean }[] = [];
    const serve = async (): Promise<string> => {
      const at = clock.now();
      const down = at >= from && at < from + forMs;
      sent.push({ at, down });
      if (down) throw new UpstreamError("HTTP 503 Service Unavailable", 503);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 100));
      return "ok";
    };
    return { serve, sent };
  }

  async function swarm(outagePauseMs: number) {
    const { clock, governor } = setup({
      retry: { random: () => 0.5, budget: false, maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 50 },
      concurrency: { initial: 8, max: 8, rampMs: 0, adaptive: false },
      upstream: { outagePauseMs },
    });
    const start = clock.now();
    const up = outage(clock, start + 1_050, 3_500);
    let lost = 0;
    const agents = Array.from({ length: 16 }, async () => {
      for (let i = 0; i < 40; i++) await governor.run(up.serve, { provider: "p" }).catch(() => lost++);
    });
    const done = Promise.all(agents);
    await clock.runAll();
    await done;
    return { sent: up.sent, start, lost };
  }

  it("holds it after two failures in a row: what waits behind them waits, one probe at a time", async () => {
    const { sent, start, lost } = await swarm(1_000);
    expect(lost).toBe(0);
    const refused = sent.filter((s) => s.down);
    // The 8 slots' next requests meet the outage before anything is known; after the second,
    // probes only: the first after two latencies (200 ms), the pause doubling while probes
    // fail, up to outagePauseMs (1 s).
    const probes = refused.filter((s) => s.at > refused[1]!.at);
    expect(refused.length).toBeLessThanOrEqual(8 + probes.length);
    expect(probes.map((p) => p.at - refused[1]!.at)).toEqual([200, 600, 1_400, 2_400, 3_400]);
    // The first answer after the outage opens the flow for everyone: no new ramp.
    const back = sent.find((s) => !s.down && s.at > start + 1_050)!;
    expect(back.at - (start + 1_050 + 3_500)).toBeLessThan(4_000);
    expect(sent.filter((s) => !s.down).length).toBe(16 * 40);
  });

  it("without the pause, the swarm keeps sending into the outage and loses calls", async () => {
    const held = await swarm(1_000);
    const unheld = await swarm(0);
    const refused = (r: typeof held) => r.sent.filter((s) => s.down).length;
    expect(refused(unheld)).toBeGreaterThan(3 * refused(held));
    expect(unheld.lost).toBeGreaterThan(0);
  });

  it("does not count an answer to a request sent before the failures began", async () => {
    const { clock, governor } = setup({ retry: false, upstream: { outagePauseMs: 5_000 } });
    let down = false;
    const slow = governor.run(() => new Promise((resolve) => clock.setTimeout(() => resolve("late"), 50)), {
      provider: "p",
    });
    await clock.advance(10);
    down = true;
    const fail = () => {
      if (down) throw new UpstreamError("HTTP 503", 503);
      return "ok";
    };
    await governor.run(fail, { provider: "p" }).catch(() => {});
    await clock.advance(50);
    await expect(slow).resolves.toBe("late"); // sent before: the streak goes on
    await governor.run(fail, { provider: "p" }).catch(() => {});
    // Two in a row: held for two latencies (the one answer took 50 ms); a call whose
    // deadline falls before the probe fails fast, typed.
    const refused = await governor.run(fail, { provider: "p", totalTimeoutMs: 50 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: "throttled",
      message: expect.stringContaining("the upstream is down: one probe goes in 100 ms"),
    });
    expect((await governor.snapshot()).upstreams.p?.pausedUntil).toBeGreaterThan(clock.now());
  });

  it("follows the breaker's reset unless told, and stays off without a breaker or with one that fails fast", () => {
    const pause = (options: GovernorOptions) => {
      const { upstream } = resolveOptions(options);
      return upstream === false ? undefined : upstream.outagePauseMs;
    };
    expect(pause({ breaker: { resetTimeoutMs: 7_000 } })).toBe(7_000);
    expect(pause({ breaker: false })).toBe(0);
    // A hold is a wait: callers of a fail-fast breaker meet CircuitOpenError instead.
    expect(pause({ breaker: { resetTimeoutMs: 7_000, waitForProbe: false } })).toBe(0);
    expect(pause({ breaker: { waitForProbe: false }, upstream: { outagePauseMs: 250 } })).toBe(250);
    expect(pause({ breaker: { resetTimeoutMs: 7_000 }, upstream: { outagePauseMs: 250 } })).toBe(250);
    expect(pause({ quotas: { inference: [{ limit: 10, windowMs: 20_000 }] } })).toBe(2_000);
    expect(() => resolveOptions({ upstream: { outagePauseMs: -1 } })).toThrow(/upstream\.outagePauseMs/);
  });
});
