import { describe, expect, it } from "vitest";
import { DeadlineQueue } from "./deadline-queue.js";
import { ManualClock } from "./manual-clock.js";

describe("DeadlineQueue", () => {
  it("expires deadlines in order with one timer per duration, skipping cancelled ones", async () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    queue.add(100, { expire: () => fired.push("a") });
    await clock.advance(10);
    const b = queue.add(100, { expire: () => fired.push("b") });
    queue.add(100, { expire: () => fired.push("c") });
    queue.add(50, { expire: () => fired.push("short") });
    expect(clock.pendingTimers).toBe(2);
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
});
