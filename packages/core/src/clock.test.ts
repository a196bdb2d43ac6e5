import { describe, expect, it, vi } from "vitest";
import {
  boundedClock,
  type Clock,
  clearLongTimeout,
  MAX_TIMER_MS,
  setLongTimeout,
  systemClock,
} from "./clock.js";
import { ManualClock } from "./manual-clock.js";

describe("long timers", () => {
  it("arm a delay longer than a host timer holds in chunks, and fire once when due", () => {
    let now = 0;
    const armed: number[] = [];
    const pending: (() => void)[] = [];
    const set = (callback: () => void, ms: number) => {
      armed.push(ms);
      pending.push(() => {
        now += ms;
        callback();
      });
      return pending.length;
    };
    let fired = 0;
    setLongTimeout(
      () => now,
      set,
      () => fired++,
      3e9,
    );
    while (pending.length > 0) pending.shift()!();
    expect(armed).toEqual([MAX_TIMER_MS, 3e9 - MAX_TIMER_MS]);
    expect(fired).toBe(1);
    expect(now).toBe(3e9);
  });

  it("never fire for Infinity, fire at once for NaN or a negative delay, and cancel any chunk", () => {
    const set = vi.fn((_callback: () => void, _ms: number) => "handle");
    const clear = vi.fn();
    const never = setLongTimeout(
      () => 0,
      set,
      () => {},
      Number.POSITIVE_INFINITY,
    );
    expect(set).not.toHaveBeenCalled();
    clearLongTimeout(clear, never);
    setLongTimeout(
      () => 0,
      set,
      () => {},
      Number.NaN,
    );
    setLongTimeout(
      () => 0,
      set,
      () => {},
      -5,
    );
    expect(set.mock.calls.map((c) => c[1])).toEqual([0, 0]);
    const long = setLongTimeout(
      () => 0,
      set,
      () => {},
      1e12,
    );
    clearLongTimeout(clear, long);
    expect(clear).toHaveBeenLastCalledWith("handle");
  });

  it("on the system clock, a 3e9 ms wait raises no TimeoutOverflowWarning and can be cleared", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const handle = systemClock.setTimeout(() => warnings.push("fired"), 3e9);
    systemClock.clearTimeout(handle);
    // Node emits the warning on a later tick: let it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    expect(warnings).toEqual([]);
  });

  it("boundedClock wraps an injected clock that knows nothing of long delays, not the known ones", async () => {
    const manual = new ManualClock(0);
    expect(boundedClock(manual)).toBe(manual);
    expect(boundedClock(systemClock)).toBe(systemClock);
    const delays: number[] = [];
    const naive: Clock = {
      now: () => manual.now(),
      setTimeout: (callback, ms) => {
        delays.push(ms);
        return manual.setTimeout(callback, ms);
      },
      clearTimeout: (handle) => manual.clearTimeout(handle),
    };
    const clock = boundedClock(naive);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 5e9);
    await manual.advance(5e9);
    expect(fired).toBe(true);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it("ManualClock never jumps to a timer armed for Infinity", async () => {
    const clock = new ManualClock(5);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, Number.POSITIVE_INFINITY);
    await clock.runAll();
    expect(fired).toBe(false);
    expect(clock.now()).toBe(5);
    expect(clock.pendingTimers).toBe(1);
  });
});
