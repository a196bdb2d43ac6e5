import { describe, expect, it } from "vitest";
import { isThrottledError } from "./errors.js";
import { ManualClock } from "./manual-clock.js";
import { memoryStore } from "./memory-store.js";
import { QuotaGate } from "./quota-gate.js";
import type { WindowGroup } from "./quota-store.js";

function gate(limit = 2, windowMs = 1_000) {
  const clock = new ManualClock(0);
  const group = memoryStore().windows("s", "api", [{ name: "w", limit, windowMs, kind: "fixed" }]);
  return { clock, group, gate: new QuotaGate("api", group, clock) };
}

describe("QuotaGate", () => {
  it("answers synchronously while permits are free", () => {
    const { gate: g } = gate();
    expect(g.acquire({ deadline: Infinity })).toBe(0);
    expect(g.acquire({ deadline: Infinity })).toBe(0);
    expect(g.lastRemaining).toBe(0);
  });

  it("makes callers wait for the reset, in arrival order, and reports the wait", async () => {
    const { clock, gate: g } = gate(2);
    g.acquire({ deadline: Infinity });
    g.acquire({ deadline: Infinity });
    const order: string[] = [];
    const a = Promise.resolve(g.acquire({ deadline: Infinity })).then((ms) => order.push(`a:${ms}`));
    const b = Promise.resolve(g.acquire({ deadline: Infinity })).then((ms) => order.push(`b:${ms}`));
    const c = Promise.resolve(g.acquire({ deadline: Infinity })).then((ms) => order.push(`c:${ms}`));
    expect(g.waiting).toBe(3);
    await clock.advance(1_000);
    expect(order).toEqual(["a:1000", "b:1000"]);
    await clock.advance(1_000);
    await Promise.all([a, b, c]);
    expect(order).toEqual(["a:1000", "b:1000", "c:2000"]);
  });

  it("refuses at once, with the wait, when the wait would pass the deadline", async () => {
    const { gate: g } = gate(1);
    g.acquire({ deadline: Infinity });
    const refused = await Promise.resolve(g.acquire({ deadline: 500 })).catch((e: unknown) => e);
    expect(isThrottledError(refused)).toBe(true);
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBe(1_000);
  });

  it("refuses queued callers whose deadline falls before their turn", async () => {
    const { clock, gate: g } = gate(1);
    g.acquire({ deadline: Infinity });
    const patient = g.acquire({ deadline: Infinity });
    const hasty = Promise.resolve(g.acquire({ deadline: 1_500 })).catch((e: unknown) => e);
    await clock.advance(1_000);
    await expect(patient).resolves.toBe(1_000);
    expect(isThrottledError(await hasty)).toBe(true);
  });

  it("lets an aborted waiter go without taking its permit", async () => {
    const { clock, gate: g } = gate(1);
    g.acquire({ deadline: Infinity });
    const controller = new AbortController();
    const aborted = g.acquire({ deadline: Infinity, signal: controller.signal });
    const next = g.acquire({ deadline: Infinity });
    controller.abort(new Error("gone"));
    await expect(aborted).rejects.toThrow("gone");
    await clock.advance(1_000);
    await expect(next).resolves.toBe(1_000);
  });

  it("wakes waiters as soon as a server correction frees permits", async () => {
    const { clock, group, gate: g } = gate(1, 300_000);
    g.acquire({ deadline: Infinity });
    const waiting = g.acquire({ deadline: Infinity });
    // The server says our quota was too low: 500 per window, 480 left.
    group.correct({ quota: 500, remaining: 480, resetMs: 299_000, windowMs: 300_000 }, clock.now());
    g.kick();
    await clock.advance(0);
    await expect(waiting).resolves.toBe(0);
  });

  it("rejects every waiter on drain and leaves no timer", async () => {
    const { clock, gate: g } = gate(1);
    g.acquire({ deadline: Infinity });
    const waiting = g.acquire({ deadline: Infinity });
    await clock.advance(0);
    g.drain(new Error("closed"));
    await expect(waiting).rejects.toThrow("closed");
    expect(clock.pendingTimers).toBe(0);
  });

  it("with a remote (asynchronous) store, serves waiters in order from one batch of answers", async () => {
    const clock = new ManualClock(0);
    const local = memoryStore().windows("s", "api", [
      { name: "w", limit: 2, windowMs: 1_000, kind: "fixed" },
    ]);
    let asked = 0;
    const remote: WindowGroup = {
      tryAcquire: (count, now) => {
        asked++;
        return Promise.resolve(local.tryAcquire(count, now));
      },
      correct: (c, now) => Promise.resolve(local.correct(c, now)),
      snapshot: (now) => Promise.resolve(local.snapshot(now)),
    };
    const g = new QuotaGate("api", remote, clock);
    const order: string[] = [];
    const calls = ["a", "b", "c", "d", "e"].map((name) =>
      Promise.resolve(g.acquire({ deadline: Infinity })).then((ms) => order.push(`${name}:${ms}`)),
    );
    await clock.advance(0);
    expect(order).toEqual(["a:0", "b:0"]);
    await clock.advance(1_000);
    expect(order).toEqual(["a:0", "b:0", "c:1000", "d:1000"]);
    await clock.advance(1_000);
    await Promise.all(calls);
    expect(order).toEqual(["a:0", "b:0", "c:1000", "d:1000", "e:2000"]);
    // Never more than two permits per window, however many were asked for at once.
    expect((await remote.snapshot(clock.now()))[0]?.remaining).toBe(1);
    expect(asked).toBeGreaterThan(5);
  });
});
