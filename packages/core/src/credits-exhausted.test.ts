import { afterEach, describe, expect, it } from "vitest";
import { isBudgetExceededError, UpstreamError } from "./errors.js";
import { createGovernor, type Governor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";
import type { GovernorOptions } from "./options.js";

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

function setup(options: GovernorOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 22));
  const governor = createGovernor({
    name: "credits",
    clock,
    retry: false,
    breaker: false,
    concurrency: false,
    creditsReprobeMs: 60_000,
    ...options,
  });
  governors.push(governor);
  const events: string[] = [];
  governor.on("credits", (e) => events.push(`${e.state}:${e.requestClass}`));
  // An upstream whose answer the test sets.
  const upstream = { answer: 402 as number | "hang", sent: 0 };
  const call = () =>
    governor.run(async ({ signal }) => {
      upstream.sent++;
      if (upstream.answer === "hang")
        return new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        );
      if (upstream.answer !== 200) throw new UpstreamError(`HTTP ${upstream.answer}`, upstream.answer);
      return "ok";
    });
  return { clock, governor, events, upstream, call };
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => v,
    (e: unknown) => (isBudgetExceededError(e) ? "budget" : String(e)),
  );

describe("after a 402", () => {
  it("refuses calls until the interval, sends one probe, and resumes when it is answered", async () => {
    const { clock, events, upstream, call } = setup({ budget: { monthlyUsd: 10 } });
    expect(await outcome(call())).toBe("budget");
    expect(await outcome(call())).toBe("budget");
    expect(upstream.sent).toBe(1);
    const refused = await call().catch((e: unknown) => e);
    expect((refused as { retryAfterMs?: number }).retryAfterMs).toBe(60_000);
    await clock.advance(59_999);
    expect(await outcome(call())).toBe("budget");
    await clock.advance(1);
    upstream.answer = "hang";
    const probe = outcome(call());
    const meanwhile = await outcome(call());
    expect(meanwhile).toBe("budget"); // one probe at a time
    expect(upstream.sent).toBe(2);
    upstream.answer = 200; // credits bought
    await clock.advance(120_000); // the probe times out: no answer, so the next attempt probes
    expect(await probe).toContain("TimeoutError");
    expect(await outcome(call())).toBe("ok");
    expect(await outcome(call())).toBe("ok");
    expect(upstream.sent).toBe(4);
    expect(events).toEqual([
      "exhausted:inference",
      "probe:inference",
      "probe:inference",
      "resumed:inference",
    ]);
  });

  it("starts the interval again when the probe gets a 402, and resumes on any other answer", async () => {
    const { clock, upstream, call } = setup();
    await outcome(call());
    await clock.advance(60_000);
    expect(await outcome(call())).toBe("budget"); // the probe: 402 again
    expect(upstream.sent).toBe(2);
    await clock.advance(59_000);
    expect(await outcome(call())).toBe("budget");
    expect(upstream.sent).toBe(2);
    await clock.advance(1_000);
    upstream.answer = 500;
    expect(await outcome(call())).toContain("HTTP 500"); // not a word about credits: resumed
    upstream.answer = 200;
    expect(await outcome(call())).toBe("ok");
  });

  it("resumes at once with resetCredits(), and the 402 mark ends with the month", async () => {
    const { clock, governor, events, upstream, call } = setup({ creditsReprobeMs: Number.POSITIVE_INFINITY });
    await outcome(call());
    upstream.answer = 200;
    await clock.advance(3_600_000);
    expect(await outcome(call())).toBe("budget");
    governor.resetCredits();
    expect(await outcome(call())).toBe("ok");
    upstream.answer = 402;
    await outcome(call());
    await clock.advance(Date.UTC(2026, 11, 1) - clock.now());
    upstream.answer = 200;
    expect(await outcome(call())).toBe("ok");
    expect(events).toEqual(["exhausted:inference", "resumed:inference", "exhausted:inference"]);
  });

  it("validates creditsReprobeMs", () => {
    expect(() => createGovernor({ creditsReprobeMs: 0 })).toThrow(
      "Expected `creditsReprobeMs` to be a duration in ms from 1 to 2147483647 or Infinity",
    );
    expect(() => createGovernor({ creditsReprobeMs: 3e9 })).toThrow("the longest a timer can hold");
    expect(() => createGovernor({ creditsReprobeMs: Number.NaN })).toThrow(TypeError);
  });

  it("keeps the Hub API going: the mark is per request class", async () => {
    const { governor, upstream, call } = setup();
    await outcome(call());
    upstream.answer = 200;
    expect(await governor.run(async () => "hub", { requestClass: "api" })).toBe("hub");
    expect(await outcome(call())).toBe("budget");
  });
});
