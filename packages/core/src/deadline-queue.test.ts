import { describe, expect, it } from "vitest";
import { DeadlineQueue } from "./deadline-queue.js";
import { ManualClock } from "./manual-clock.js";

describe("DeadlineQueue", () => {
  it("expires deadlines in order with one timer for the earliest, skipping cancelled ones", async () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    queue.add(100, { expire: () => fired.push("a") });
    await clock.advance(10);
    const b = queue.add(100, { expire: () => fired.push("b") });
    queue.add(100, { expire: () => fired.push("c") });
    queue.add(50, { expire: () => fired.push("short") });
    expect(clock.pendingTimers).toBe(1);
    queue.cancel(b);
    queue.cancel(b);
    await clock.advance(90);
    expect(fired).toEqual(["short", "a"]);
    await clock.advance(10);
    expect(fired).toEqual(["short", "a", "c"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("clear() stops every timer", () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    queue.add(100, { expire() {} });
    queue.add(200, { expire() {} });
    queue.clear();
    expect(clock.pendingTimers).toBe(0);
  });

  it("holds one entry per pending deadline, whatever the durations, and re-arms for the earliest", async () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const fired: number[] = [];
    const entries = Array.from({ length: 1000 }, (_, i) =>
      queue.add(1000 + i, { expire: () => fired.push(i) }),
    );
    expect(queue.size).toBe(1000);
    expect(clock.pendingTimers).toBe(1);
    for (const entry of entries.slice(0, 998)) queue.cancel(entry);
    expect(queue.size).toBe(2);
    // An expiry that adds a later deadline must not delay one already due sooner.
    queue.add(5, { expire: () => queue.add(10_000, { expire: () => fired.push(-1) }) });
    await clock.advance(5);
    await clock.advance(1993);
    expect(fired).toEqual([998]);
    await clock.advance(1);
    expect(fired).toEqual([998, 999]);
    await clock.advance(10_000);
    expect(fired).toEqual([998, 999, -1]);
    expect(queue.size).toBe(0);
  });
});
