import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGovernor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";
import type { WindowSpec } from "./quota-store.js";
import { boundCorrection, MAX_ADOPTED_QUOTA } from "./server-wait.js";

const spec: WindowSpec = { name: "5m", kind: "fixed", limit: 500, windowMs: 300_000 };

describe("boundCorrection", () => {
  it("cuts a reset beyond two windows, ignores a window length out of [½, 2] of the configured one, and caps the quota", () => {
    expect(boundCorrection({ remaining: 0, resetMs: 31_017_600_000 }, spec)).toEqual({
      correction: { remaining: 0, resetMs: 600_000, windowMs: undefined, quota: undefined },
      ceilingMs: 600_000,
      capped: true,
    });
    expect(boundCorrection({ windowMs: 31_536_000_000, quota: 1 }, spec).correction).toMatchObject({
      windowMs: 300_000,
      quota: 1,
    });
    expect(boundCorrection({ windowMs: 1_000 }, spec).correction.windowMs).toBe(300_000);
    expect(boundCorrection({ windowMs: 400_000 }, spec).correction.windowMs).toBe(400_000);
    expect(boundCorrection({ quota: 1e15 }, spec).correction.quota).toBe(MAX_ADOPTED_QUOTA);
    expect(boundCorrection({ remaining: 3, resetMs: 55_000 }, spec)).toMatchObject({ capped: false });
  });

  it("never lets a correction ask for more than the ceiling, whatever the numbers", () => {
    fc.assert(
      fc.property(
        fc.record({
          remaining: fc.option(fc.nat(), { nil: undefined }),
          resetMs: fc.option(fc.double({ min: 0, max: 1e15, noNaN: true }), { nil: undefined }),
          windowMs: fc.option(fc.double({ min: 1, max: 1e15, noNaN: true }), { nil: undefined }),
          quota: fc.option(fc.integer({ min: 1, max: 1e15 }), { nil: undefined }),
        }),
        (c) => {
          const { correction, ceilingMs } = boundCorrection(c, spec);
          expect(correction.resetMs ?? 0).toBeLessThanOrEqual(ceilingMs);
          expect(correction.windowMs ?? 0).toBeLessThanOrEqual(ceilingMs);
          expect(correction.quota ?? 0).toBeLessThanOrEqual(MAX_ADOPTED_QUOTA);
        },
      ),
    );
  });
});

describe("the probe after a capped wait", () => {
  const setup = (shape: Partial<WindowSpec> = {}) => {
    const clock = new ManualClock(0);
    const governor = createGovernor({
      clock,
      retry: false,
      breaker: false,
      concurrency: false,
      quotas: { api: [{ limit: 10, windowMs: 1_000, ...shape }] },
    });
    const info = { requestClass: "api" } as const;
    const hostile = { status: 429, headers: { "retry-after": "31017600" } };
    return { clock, governor, info, hostile };
  };

  it("a probe that fails without the server's word (network) lets the next waiter probe at once", async () => {
    const { clock, governor, info, hostile } = setup();
    await governor.run(async ({ observe }) => observe(hostile), info);
    const sent: string[] = [];
    const first = governor
      .run(async () => {
        sent.push("probe 1");
        throw new TypeError("fetch failed");
      }, info)
      .catch((error: unknown) => error);
    const second = governor.run(async () => {
      sent.push("probe 2");
      return "ok";
    }, info);
    const third = governor.run(async () => {
      sent.push("after");
      return "ok";
    }, info);
    await clock.advance(1_999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(await first).toMatchObject({ message: "fetch failed" });
    await expect(Promise.all([second, third])).resolves.toEqual(["ok", "ok"]);
    expect(sent).toEqual(["probe 1", "probe 2", "after"]);
    await governor.close();
  });

  it("a probe that aborts hands the probe to the next waiter, and a normal header re-opens the flow", async () => {
    const { clock, governor, info, hostile } = setup();
    await governor.run(async ({ observe }) => observe(hostile), info);
    const abort = new AbortController();
    const sent: number[] = [];
    const held = governor.run(
      ({ signal }) =>
        new Promise((_, reject) => {
          sent.push(1);
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
      { ...info, signal: abort.signal },
    );
    const rest = Array.from({ length: 3 }, (_, i) =>
      governor.run(async ({ observe }) => {
        sent.push(i + 2);
        observe({ status: 200, headers: { ratelimit: '"api";r=5;t=1' } });
        return i;
      }, info),
    );
    await clock.advance(2_000);
    expect(sent).toEqual([1]);
    expect(governor.stats().quota.api?.waiting).toBe(3);
    abort.abort(new Error("caller gave up"));
    await expect(held).rejects.toThrow("caller gave up");
    await expect(Promise.all(rest)).resolves.toEqual([0, 1, 2]);
    expect(sent).toEqual([1, 2, 3, 4]);
    await governor.close();
  });

  it.each([
    ["sliding", { kind: "sliding" as const }],
    ["smoothed fixed", { kind: "fixed" as const, smoothing: { burst: 2 } }],
  ])("a hostile 200 on a %s window holds no longer than the ceiling either", async (_name, shape) => {
    const { clock, governor, info } = setup(shape);
    const ratelimit = '"api";r=0;t=31017600';
    await governor.run(async ({ observe }) => observe({ status: 200, headers: { ratelimit } }), info);
    const at: number[] = [];
    const calls = Array.from({ length: 3 }, () => governor.run(async () => at.push(clock.now()), info));
    await clock.advance(1_999);
    expect(at).toEqual([]);
    await clock.advance(1);
    await clock.runAll();
    await Promise.all(calls);
    expect(Math.min(...at)).toBe(2_000);
    expect(Math.max(...at)).toBeLessThanOrEqual(4_000);
    await governor.close();
  });
});
