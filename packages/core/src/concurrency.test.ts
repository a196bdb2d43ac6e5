import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter, type ConcurrencyOptions } from "./concurrency.js";
import { isQueueFullError } from "./errors.js";
import { ManualClock } from "./manual-clock.js";
import { memoryStore } from "./memory-store.js";
import type { SlotLease } from "./quota-store.js";

const options = (o: Partial<ConcurrencyOptions> = {}): ConcurrencyOptions => ({
  initial: 2,
  max: 10,
  rampMs: 8_000,
  maxQueue: 100,
  adaptive: false,
  pollMs: 50,
  ...o,
});

function limiter(o: Partial<ConcurrencyOptions> = {}) {
  const clock = new ManualClock(0);
  return { clock, limiter: new ConcurrencyLimiter(options(o), memoryStore().slots("s"), clock) };
}

describe("ConcurrencyLimiter", () => {
  it("ramps the limit linearly from initial to max", async () => {
    const { clock, limiter: l } = limiter();
    const seen: number[] = [];
    for (let t = 0; t <= 10_000; t += 2_000) {
      seen.push(l.limit());
      await clock.advance(2_000);
    }
    expect(seen).toEqual([2, 4, 6, 8, 10, 10]);
  });

  it("admits waiting callers as the ramp raises the limit, in FIFO order", async () => {
    const { clock, limiter: l } = limiter();
    const order: number[] = [];
    const held = [l.acquire(), l.acquire()];
    expect(held.some((x) => x instanceof Promise)).toBe(false);
    const waiting = [0, 1, 2].map((i) => Promise.resolve(l.acquire()).then(() => order.push(i)));
    expect(l.queued).toBe(3);
    await clock.advance(1_000); // limit 3
    expect(order).toEqual([0]);
    await clock.advance(2_000); // limit 5
    await Promise.all(waiting);
    expect(order).toEqual([0, 1, 2]);
    expect(l.inFlight).toBe(5);
  });

  it("hands a released slot to the next waiter at once", async () => {
    const { limiter: l } = limiter({ initial: 1, max: 1 });
    const first = l.acquire() as SlotLease;
    const second = l.acquire();
    expect(second).toBeInstanceOf(Promise);
    l.release(first);
    await expect(second).resolves.toBeDefined();
    expect(l.inFlight).toBe(1);
  });

  it("refuses with QueueFullError past maxQueue", async () => {
    const { limiter: l } = limiter({ initial: 1, max: 1, maxQueue: 1 });
    l.acquire();
    void l.acquire();
    const refused = await Promise.resolve(l.acquire()).catch((e: unknown) => e);
    expect(isQueueFullError(refused)).toBe(true);
  });

  it("removes an aborted waiter and rejects it with the signal's reason", async () => {
    const { limiter: l } = limiter({ initial: 1, max: 1 });
    l.acquire();
    const controller = new AbortController();
    const waiting = l.acquire(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(l.queued).toBe(0);
  });

  it("restarts the ramp from initial after restartRamp()", async () => {
    const { clock, limiter: l } = limiter();
    await clock.advance(20_000);
    expect(l.limit()).toBe(10);
    l.restartRamp();
    expect(l.limit()).toBe(2);
  });

  it("adaptive: multiplies the limit down on overload and adds one per limit's worth of successes", async () => {
    const { limiter: l } = limiter({ initial: 10, max: 10, rampMs: 0, adaptive: { decrease: 0.5, min: 2 } });
    l.overloaded();
    expect(l.limit()).toBe(5);
    l.overloaded();
    l.overloaded();
    expect(l.limit()).toBe(2);
    for (let i = 0; i < 2; i++) l.succeeded();
    expect(l.limit()).toBe(3);
    for (let i = 0; i < 3; i++) l.succeeded();
    expect(l.limit()).toBe(4);
  });

  it("never has more slots in flight than the limit in force (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.constant("acquire"), fc.constant("release"), fc.integer({ min: 1, max: 3_000 })),
          {
            maxLength: 200,
          },
        ),
        async (ops) => {
          const { clock, limiter: l } = limiter({ initial: 1, max: 6, rampMs: 5_000 });
          const leases: SlotLease[] = [];
          const take = (lease: SlotLease) => leases.push(lease);
          for (const op of ops) {
            if (op === "acquire") {
              const lease = l.acquire();
              if (lease instanceof Promise) void lease.then(take);
              else take(lease);
            } else if (op === "release") {
              const lease = leases.shift();
              if (lease !== undefined) l.release(lease);
            } else await clock.advance(op);
            await clock.advance(0);
            if (l.inFlight > l.limit()) return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});
