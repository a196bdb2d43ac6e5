import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_TIMER_MS } from "./clock.js";
import { createGovernor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

afterEach(() => {
  vi.useRealTimers();
});

describe("keep-alive", () => {
  it("holds one ref'd timer while calls are pending and none when idle or closed", async () => {
    const governor = createGovernor({ quotas: { inference: [{ limit: 1, windowMs: 60_000 }] } });
    const before = timeouts();
    await governor.run(async () => "first");
    expect(timeouts()).toBe(before);
    const waiting = governor.run(async () => "waits a window").catch((e: unknown) => e);
    expect(timeouts()).toBe(before + 1);
    await governor.close();
    expect(await waiting).toMatchObject({ code: "closed" });
    expect(timeouts()).toBe(before);
  });

  it("holds nothing on a ManualClock, nor under a test runner's fake timers", async () => {
    const manual = createGovernor({
      clock: new ManualClock(0),
      quotas: { inference: [{ limit: 1, windowMs: 60_000 }] },
    });
    const before = timeouts();
    const pending = [manual.run(async () => 1), manual.run(async () => 2)].map((p) => p.catch(() => 0));
    expect(timeouts()).toBe(before);
    await manual.close();
    await Promise.all(pending);
    vi.useFakeTimers();
    const intervals = vi.spyOn(globalThis, "setInterval");
    const faked = createGovernor({ quotas: { inference: [{ limit: 1, windowMs: 60_000 }] } });
    const calls = [faked.run(async () => 1), faked.run(async () => 2)];
    // opossum's bucket timer is an interval too; the keep-alive's would be MAX_TIMER_MS long.
    expect(intervals.mock.calls.filter(([, ms]) => ms === MAX_TIMER_MS)).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(Promise.all(calls)).resolves.toEqual([1, 2]);
    await faked.close();
  });
});
