import { describe, expect, it } from "vitest";
import { QuotaTracker } from "./quota-tracker.js";
import { Recorder } from "./recorder.js";
import { retryWaitSource } from "./recording.js";
import { renderReport } from "./report-html.js";
import { summarize } from "./summary.js";
import { summaryTable } from "./summary-table.js";

const headers = (r: number, t: number) =>
  new Headers({
    ratelimit: `"inference";r=${r};t=${t}`,
    "ratelimit-policy": `"fixed window";"inference";q=100;w=300`,
  });

describe("QuotaTracker", () => {
  it("follows windows through RateLimit headers, out-of-order answers included", () => {
    const q = new QuotaTracker();
    q.observe(headers(90, 200));
    q.observe(headers(95, 201)); // an earlier answer arriving late
    q.observe(headers(10, 20));
    q.observe(headers(99, 299)); // the next window
    q.observe(new Headers()); // no headers: ignored
    expect(q.windows()).toEqual([
      { policy: "inference", quota: 100, used: 90 },
      { policy: "inference", quota: 100, used: 1 },
    ]);
    expect(q.current()?.used).toBe(1);
  });
});

describe("Recorder", () => {
  it("buckets requests and calls per second of scenario time and summarizes them", () => {
    let now = 0;
    const rec = new Recorder({ timeScale: 60, now: () => now });
    rec.sampleConcurrencyLimit(10);
    rec.requestStarted();
    rec.requestStarted();
    rec.requestEnded(429, headers(0, 100));
    rec.retried();
    rec.waited(10); // wall ms → 600 scenario ms
    now = 20; // 1.2 scenario seconds
    rec.requestEnded(200, headers(50, 99));
    rec.callEnded(true, 20);
    rec.requestStarted();
    rec.requestCancelled();
    const r = rec.snapshot();
    expect(r.series).toHaveLength(2);
    expect(r.series[0]).toMatchObject({ t: 0, requests: 1, status429: 1, inFlight: 2, concurrencyLimit: 10 });
    expect(r.series[1]).toMatchObject({ t: 1, requests: 1, ok: 1, callsOk: 1, p50: 1200 });
    expect(r.totals).toMatchObject({
      requests: 2,
      ok: 1,
      status429: 1,
      retries: 1,
      throttleWaitMs: 600,
      maxInFlight: 2,
    });
    expect(r.elapsedSeconds).toBeCloseTo(1.2);
    const summary = summarize(
      {
        command: "loadtest",
        scenario: "custom",
        target: "sim",
        targetLabel: "test",
        governed: true,
        tier: "pro",
        timeScale: 60,
        concurrency: 2,
        durationSeconds: 1,
        rampSeconds: 0,
        model: "m",
        startedAt: "2026-11-22T00:00:00.000Z",
      },
      r,
      {
        interrupted: false,
        wallSeconds: 0.02,
        cancelled: 0,
        finalConcurrencyLimit: 10,
        simulator: undefined,
      },
    );
    expect(summary.errorRate).toEqual({ total: 0.5, status429: 0.5, status503: 0 });
    expect(summary.retryRate).toBe(1);
    expect(summary.quota).toEqual({ windows: 1, limit: 100, maxUsed: 100, overQuota: null });
    expect(summaryTable(summary)).toMatch(/429: 1 = 50\.0%/);
    const html = renderReport(summary, r);
    expect(html).toContain('data-series="requests"');
    expect(html).not.toMatch(/<script(?! type="application\/json")/);
  });
});

describe("Recorder per provider", () => {
  it("counts answers under x-inference-provider, else under the pinned provider or the router", () => {
    const served = (name: string) => new Headers({ "x-inference-provider": name });
    const router = new Recorder({ timeScale: 1, now: () => 0 });
    router.requestEnded(200, served("cerebras"));
    router.requestEnded(429, served("together"));
    router.requestEnded(429, new Headers()); // the router's own window, before any provider
    router.requestEnded(503);
    router.requestEnded(0); // a network error
    router.requestEnded(402, served("together"));
    expect(router.snapshot().providers).toEqual({
      cerebras: { requests: 1, ok: 1, status429: 0, status503: 0, otherErrors: 0 },
      router: { requests: 3, ok: 0, status429: 1, status503: 1, otherErrors: 1 },
      together: { requests: 2, ok: 0, status429: 1, status503: 0, otherErrors: 1 },
    });
    const pinned = new Recorder({ timeScale: 1, now: () => 0, provider: "together" });
    pinned.requestEnded(429, new Headers());
    expect(Object.keys(pinned.snapshot().providers)).toEqual(["together"]);
  });
});

describe("Recorder retries, waits, throttles and credits", () => {
  it("buckets retries by reason, splits waits over the buckets they span, and samples throttles and credits", () => {
    let now = 0;
    // ×10: a bucket of 1,000 scenario ms is 100 wall ms.
    const rec = new Recorder({ timeScale: 10, now: () => now });
    rec.retried("rate_limited");
    rec.waited(150, "server_429", "starts"); // wall 0–150: 1,000 ms in bucket 0, 500 in bucket 1
    rec.sampleThrottles({ local_window: 2, server_429: 1, breaker_open: 0 });
    rec.setCredits(0.001);
    now = 250;
    rec.waited(100, "local_window"); // ended now: wall 150–250, 500 ms in bucket 1, 500 in 2
    rec.retried("overloaded");
    rec.retried("rate_limited");
    rec.sampleThrottles({ local_window: 5, server_429: 1, breaker_open: 0 });
    rec.setCredits(0.003);
    rec.setCreditsRemaining(1.997);
    rec.waited(1_000, "server_503", "starts"); // reaches past the end of the run
    const r = rec.snapshot();
    expect(r.series.map((p) => p.retriesByReason)).toEqual([
      { rate_limited: 1 },
      {},
      { overloaded: 1, rate_limited: 1 },
    ]);
    expect(r.series.map((p) => p.waitMsBySource)).toEqual([
      { server_429: 1_000 },
      { server_429: 500, local_window: 500 },
      { local_window: 500, server_503: 500 },
    ]);
    expect(r.series.map((p) => p.throttlesBySource)).toEqual([
      { local_window: 2, server_429: 1 },
      {},
      { local_window: 3 },
    ]);
    expect(r.series.map((p) => [p.creditsUsd, p.creditsRemainingUsd])).toEqual([
      [0.001, null],
      [0.001, null],
      [0.003, 1.997],
    ]);
    expect(r.totals).toMatchObject({
      retries: 3,
      retriesByReason: { rate_limited: 2, overloaded: 1 },
      throttleWaitMs: 12_500,
      throttleWaitMsBySource: { server_429: 1_500, local_window: 1_000, server_503: 10_000 },
      throttlesBySource: { local_window: 5, server_429: 1 },
    });
  });

  it("names the wait before a retry after the refusal that caused it", () => {
    expect(["rate_limited", "overloaded", "loading", "network", "timeout"].map(retryWaitSource)).toEqual([
      "server_429",
      "server_503",
      "server_503",
      "retry_backoff",
      "retry_backoff",
    ]);
  });
});
