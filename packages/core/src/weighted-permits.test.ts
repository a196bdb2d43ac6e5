import { afterEach, describe, expect, it } from "vitest";
import { createGovernor, type Governor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";
import { memoryStore } from "./memory-store.js";
import { quotaPolicy } from "./policies/quota.js";
import { WindowState } from "./window-state.js";

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

// As a window group does it: look, then take.
const acquire = (w: WindowState, count: number, now: number) => {
  expect(w.waitFor(count, now)).toBe(0);
  w.take(count, now);
};

describe("WindowState.adjust", () => {
  it("fixed: gives unused permits back within the window, not after it rolled; takes an overshoot past the limit", () => {
    const w = new WindowState({ name: "1m", limit: 1_000, windowMs: 60_000, kind: "fixed" });
    acquire(w, 800, 0);
    w.adjust(-500, 10, 0);
    expect(w.remaining(10)).toBe(700);
    w.adjust(+900, 20, 0);
    expect(w.remaining(20)).toBe(0);
    expect(w.waitFor(1, 20)).toBe(60_000 - 20); // over the limit: nothing before the reset
    acquire(w, 300, 60_000); // a new window
    w.adjust(-200, 60_001, 20); // taken in the last window: not given to this one
    expect(w.remaining(60_001)).toBe(700);
    w.adjust(-200, 60_002, 60_000); // taken in this one: given back
    expect(w.remaining(60_002)).toBe(900);
  });

  it("sliding: removes the caller's own newest admissions; an overflow blocks until the oldest would have left", () => {
    const w = new WindowState({ name: "10s", limit: 5, windowMs: 10_000, kind: "sliding" });
    acquire(w, 2, 0);
    acquire(w, 3, 1_000);
    w.adjust(-2, 1_500, 1_000);
    expect(w.remaining(1_500)).toBe(2);
    w.adjust(+4, 2_000, 1_000); // 3 logged + 4 more: two of the oldest leave the ring early
    expect(w.remaining(2_000)).toBe(0);
    expect(w.waitFor(1, 2_000)).toBe(10_000 - 2_000); // blocked until they would have left
  });

  it("token bucket: an overshoot makes the next caller wait longer; a give-back never exceeds the burst", () => {
    const w = new WindowState({
      name: "1m",
      limit: 600,
      windowMs: 60_000,
      kind: "fixed",
      smoothing: { burst: 10 },
    });
    acquire(w, 10, 0);
    w.adjust(+20, 0, 0);
    expect(w.waitFor(1, 0)).toBe(Math.ceil(((1 + 20) * 60_000) / 600));
    w.adjust(-1_000, 0, 0);
    expect(w.waitFor(10, 0)).toBe(0);
    expect(w.waitFor(11, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("weighted permits through governor.run", () => {
  function tokensGovernor(limit: number) {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const governor = createGovernor({
      name: "tpm",
      clock,
      store: memoryStore(),
      retry: false,
      breaker: false,
      concurrency: false,
      policies: (defaults, kit) => [
        ...defaults,
        quotaPolicy(kit, {
          name: "tokens",
          requestClass: "tokens",
          quotas: { tokens: [{ name: "tpm", limit, windowMs: 60_000 }] },
          permits: (info) => Number(info.attributes?.estimate ?? 1),
          reconcile: (usage) => usage.inputTokens + usage.outputTokens,
        }),
      ],
    });
    governors.push(governor);
    return { clock, governor };
  }

  it("takes the estimate, then gives back what the call did not use, which lets a waiting call in", async () => {
    const { clock, governor } = tokensGovernor(1_000);
    const order: string[] = [];
    const first = governor.run(
      ({ reportUsage }) => {
        order.push("first");
        reportUsage({ inputTokens: 100, outputTokens: 100 });
      },
      { attributes: { estimate: 900 } },
    );
    const second = governor.run(() => order.push("second"), { attributes: { estimate: 700 } });
    await first;
    await second; // 900 taken, 700 more did not fit; 700 given back made room at once
    expect(order).toEqual(["first", "second"]);
    expect(clock.now()).toBe(Date.UTC(2026, 11, 1)); // no window had to pass
    const { windows } = await governor.snapshot();
    expect(windows.tokens?.[0]?.remaining).toBe(1_000 - 200 - 700);
    expect(governor.stats().quota.tokens).toMatchObject({ waiting: 0 });
  });

  it("takes the overshoot when a call used more than it estimated", async () => {
    const { clock, governor } = tokensGovernor(1_000);
    await governor.run(({ reportUsage }) => reportUsage({ inputTokens: 600, outputTokens: 300 }), {
      attributes: { estimate: 100 },
    });
    expect((await governor.snapshot()).windows.tokens?.[0]?.remaining).toBe(100);
    let ranAt = 0;
    const next = governor.run(() => (ranAt = clock.now()), { attributes: { estimate: 200 } });
    await clock.runAll();
    await next;
    expect(ranAt - Date.UTC(2026, 11, 1)).toBe(60_000); // waited for the next window
  });

  it("keeps what was taken when the attempt reported no usage", async () => {
    const { governor } = tokensGovernor(1_000);
    await expect(
      governor.run(
        () => {
          throw new Error("failed before any usage");
        },
        { attributes: { estimate: 400 } },
      ),
    ).rejects.toThrow();
    expect((await governor.snapshot()).windows.tokens?.[0]?.remaining).toBe(600);
  });
});
