import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isThrottledError, isTimeoutError } from "../errors.js";
import { createGovernor } from "../governor.js";
import { ManualClock } from "../manual-clock.js";
import { createWaitQueue } from "./create-wait-queue.js";
import type { QueueKind } from "./wait-queue.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Pushes `ids`, serves every one, and returns the order they were served in (settled once each). */
async function serveAll(kind: QueueKind, waiters: { priority: number; agent: string }[]) {
  const queue = createWaitQueue<number, number>(kind);
  const settled = new Map<number, number>();
  const served: number[] = [];
  waiters.forEach((w, id) => {
    void queue
      .push(id, { deadline: Number.POSITIVE_INFINITY, priority: w.priority, agent: w.agent })
      .then(() => {
        served.push(id);
        settled.set(id, (settled.get(id) ?? 0) + 1);
      });
  });
  while (queue.resolveHead(0));
  await tick();
  return { served, settled, queue };
}

const waiter = fc.record({
  priority: fc.integer({ min: -2, max: 2 }),
  agent: fc.constantFrom("a", "b", "c", "d"),
});

describe("wait queues", () => {
  it("priority: higher first, FIFO within a priority, everyone served once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(waiter, { maxLength: 60 }), async (waiters) => {
        const { served, settled } = await serveAll("priority", waiters);
        const expected = waiters
          .map((w, id) => ({ ...w, id }))
          .sort((x, y) => y.priority - x.priority || x.id - y.id)
          .map((w) => w.id);
        expect(served).toEqual(expected);
        expect([...settled.values()].every((n) => n === 1)).toBe(true);
      }),
    );
  });

  it("fair share: FIFO within an agent, and an agent's i-th turn before anyone's (i+1)-th", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(waiter, { maxLength: 60 }), async (waiters) => {
        const { served } = await serveAll("fair-share", waiters);
        expect(served).toHaveLength(waiters.length);
        const turns = new Map<string, number[]>(); // agent → positions in the serving order
        served.forEach((id, position) => {
          const agent = waiters[id]!.agent;
          turns.set(agent, [...(turns.get(agent) ?? []), position]);
        });
        for (const [agent, positions] of turns) {
          const ids = positions.map((p) => served[p]!);
          expect(ids).toEqual([...ids].sort((x, y) => x - y)); // FIFO within the agent
          for (const [other, theirs] of turns) {
            if (other === agent) continue;
            for (let i = 0; i < positions.length && i + 1 < theirs.length; i++)
              expect(positions[i]!).toBeLessThan(theirs[i + 1]!);
          }
        }
      }),
    );
  });

  it("fifo: arrival order", async () => {
    const { served } = await serveAll(
      "fifo",
      Array.from({ length: 10 }, (_, i) => ({ priority: 10 - i, agent: `${i % 3}` })),
    );
    expect(served).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  for (const kind of ["fifo", "priority", "fair-share"] as const)
    it(`${kind}: aborts, deadlines and take/restore keep every waiter settled exactly once`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({ w: waiter, deadline: fc.integer({ min: 0, max: 100 }), abort: fc.boolean() }),
            {
              maxLength: 40,
            },
          ),
          fc.integer({ min: 0, max: 100 }),
          fc.integer({ min: 0, max: 10 }),
          async (entries, cutoff, batch) => {
            const queue = createWaitQueue<string, number>(kind);
            const outcome = new Map<number, string[]>();
            const controllers = entries.map(() => new AbortController());
            entries.forEach((e, id) => {
              void queue
                .push(id, {
                  deadline: e.deadline,
                  priority: e.w.priority,
                  agent: e.w.agent,
                  signal: controllers[id]!.signal,
                })
                .then(
                  (v) => outcome.set(id, [...(outcome.get(id) ?? []), v]),
                  (err: Error) => outcome.set(id, [...(outcome.get(id) ?? []), err.message]),
                );
            });
            entries.forEach((e, id) => {
              if (e.abort) controllers[id]!.abort(new Error("aborted"));
            });
            const taken = queue.take(batch);
            queue.restore(taken.slice(1));
            taken[0]?.resolve("taken");
            queue.rejectExpired(cutoff, () => new Error("expired"));
            while (queue.resolveHead("served"));
            await tick();
            expect(queue.length).toBe(0);
            entries.forEach((e, id) => {
              const got = outcome.get(id);
              expect(got).toHaveLength(1);
              if (e.abort) expect(got).toEqual(["aborted"]);
              else if (got![0] === "expired") expect(e.deadline).toBeLessThan(cutoff);
            });
          },
        ),
      );
    });
});

describe("queues under a binding quota", () => {
  for (const queue of ["priority", "fair-share"] as const)
    it(`${queue}: every call settles by its deadline, none runs twice, FIFO within a priority and an agent`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              w: waiter,
              timeoutMs: fc.integer({ min: 1_000, max: 60_000 }),
              at: fc.integer({ min: 0, max: 5_000 }),
            }),
            { minLength: 1, maxLength: 40 },
          ),
          async (calls) => {
            const clock = new ManualClock(Date.UTC(2026, 11, 1));
            const governor = createGovernor({
              clock,
              queue,
              retry: false,
              breaker: false,
              concurrency: false,
              quotas: { inference: [{ limit: 2, windowMs: 5_000 }] },
            });
            const t0 = clock.now();
            const runs = new Map<number, number>();
            const admitted: number[] = [];
            const settledAt = new Map<number, number>();
            const promises: Promise<unknown>[] = [];
            const order = calls.map((c, id) => ({ ...c, id })).sort((x, y) => x.at - y.at || x.id - y.id);
            for (const c of order) {
              await clock.advance(Math.max(0, t0 + c.at - clock.now()));
              const p = governor
                .run(
                  () => {
                    runs.set(c.id, (runs.get(c.id) ?? 0) + 1);
                    admitted.push(c.id);
                  },
                  { priority: c.w.priority, agent: c.w.agent, totalTimeoutMs: c.timeoutMs },
                )
                .then(
                  () => settledAt.set(c.id, clock.now()),
                  (error) => {
                    // refused (no permit before the deadline) or timed out at the deadline itself
                    expect(isThrottledError(error) || isTimeoutError(error)).toBe(true);
                    settledAt.set(c.id, clock.now());
                  },
                );
              promises.push(p);
            }
            await clock.runAll();
            await Promise.all(promises);
            await governor.close();
            for (const c of order) {
              expect(settledAt.has(c.id)).toBe(true);
              expect(settledAt.get(c.id)! - (t0 + c.at)).toBeLessThanOrEqual(c.timeoutMs);
              expect(runs.get(c.id) ?? 0).toBeLessThanOrEqual(1);
            }
            // Among calls that arrived while others of the same key waited, arrival order holds.
            const key = (id: number) =>
              queue === "priority" ? `${calls[id]!.w.priority}` : calls[id]!.w.agent;
            const arrival = new Map(order.map((c, i) => [c.id, i]));
            for (let i = 0; i < admitted.length; i++)
              for (let j = i + 1; j < admitted.length; j++)
                if (key(admitted[i]!) === key(admitted[j]!))
                  expect(arrival.get(admitted[i]!)!).toBeLessThan(arrival.get(admitted[j]!)!);
          },
        ),
        { numRuns: 40 },
      );
    });
});
