import { memoryStore, type WindowSpec } from "@swarmgate/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, eventually, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const prefixes: string[] = [];

function open(
  name: string,
  extra: { prefix?: string; prefetch?: number; prefetchMs?: number } = {},
): RedisStore {
  const prefix = extra.prefix ?? uniquePrefix(name);
  prefixes.push(prefix);
  const store = redisStore({ url: SHARED_REDIS_URL, ...extra, prefix, logger: () => {} });
  stores.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

/** "Never" is `Infinity` in memory: a number both sides can be compared by. */
const waitOf = (ms: number): number => (Number.isFinite(ms) ? ms : -1);

const fixed = (limit: number, windowMs: number, name = "w"): WindowSpec => ({
  name,
  limit,
  windowMs,
  kind: "fixed",
});

describe("RedisWindowGroup", () => {
  it("admits a fixed window's limit and then says how long to wait", async () => {
    const group = open("fixed").windows("scope", "api", [fixed(5, 60_000, "1m")]);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await group.tryAcquire(1, Date.now()));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results[5]!;
    expect(refused).toMatchObject({ ok: false, remaining: 0, blockedBy: "1m" });
    expect(refused.waitMs).toBeGreaterThan(50_000);
    expect(refused.waitMs).toBeLessThanOrEqual(60_000);
  });

  it("serves concurrent callers of one process together, never past the limit", async () => {
    const group = open("burst").windows("scope", "api", [fixed(30, 60_000)]);
    const results = await Promise.all(Array.from({ length: 100 }, () => group.tryAcquire(1, Date.now())));
    expect(results.filter((r) => r.ok)).toHaveLength(30);
  });

  it("shares one quota between stores (processes) using the same prefix", async () => {
    const prefix = uniquePrefix("shared");
    const groups = [open("a", { prefix }), open("b", { prefix }), open("c", { prefix })].map((s) =>
      s.windows("scope", "api", [fixed(40, 60_000)]),
    );
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => groups[i % 3]!.tryAcquire(1, Date.now())),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(40);
  });

  it("is all-or-nothing across the windows of a group", async () => {
    const group = open("group").windows("scope", "api", [
      fixed(10, 60_000, "long"),
      fixed(3, 60_000, "short"),
    ]);
    for (let i = 0; i < 3; i++) expect((await group.tryAcquire(1, Date.now())).ok).toBe(true);
    expect(await group.tryAcquire(1, Date.now())).toMatchObject({ ok: false, blockedBy: "short" });
    const snapshot = await group.snapshot(Date.now());
    expect(snapshot.map((w) => [w.name, w.remaining])).toEqual([
      ["long", 7],
      ["short", 0],
    ]);
  });

  it("keeps an exact sliding log", async () => {
    const group = open("sliding").windows("scope", "api", [
      { name: "s", limit: 3, windowMs: 400, kind: "sliding" },
    ]);
    for (let i = 0; i < 3; i++) expect((await group.tryAcquire(1, Date.now())).ok).toBe(true);
    const refused = await group.tryAcquire(1, Date.now());
    expect(refused.ok).toBe(false);
    expect(refused.waitMs).toBeLessThanOrEqual(400);
    // The oldest admission leaves on Redis's clock: poll (a refused try takes nothing).
    expect(await eventually(async () => (await group.tryAcquire(1, Date.now())).ok, 5_000)).toBe(true);
  });

  it("smooths with a token bucket in front of the window", async () => {
    const spec: WindowSpec = {
      name: "w",
      limit: 100,
      windowMs: 10_000,
      kind: "fixed",
      smoothing: { burst: 2 },
    };
    const group = open("smooth").windows("scope", "api", [spec]);
    expect((await group.tryAcquire(1, Date.now())).ok).toBe(true);
    expect((await group.tryAcquire(1, Date.now())).ok).toBe(true);
    const refused = await group.tryAcquire(1, Date.now());
    expect(refused.ok).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(0);
    expect(refused.waitMs).toBeLessThanOrEqual(100); // one permit per 100 ms on average
    expect((await group.tryAcquire(3, Date.now())).waitMs).toBe(Number.POSITIVE_INFINITY); // more than the burst
  });

  it("applies the server's remaining, reset and quota, and blocks after a 429 until the reset", async () => {
    const group = open("correct").windows("scope", "api", [fixed(100, 300_000, "5m")]);
    await group.tryAcquire(1, Date.now());
    await group.correct({ remaining: 10, resetMs: 55_000, quota: 500, windowMs: 300_000 }, Date.now());
    let [w] = await group.snapshot(Date.now());
    expect(w).toMatchObject({ name: "5m", limit: 500, remaining: 10 });
    expect(w!.resetAt - Date.now()).toBeGreaterThan(50_000);
    expect(w!.resetAt - Date.now()).toBeLessThanOrEqual(55_000);
    await group.correct({ remaining: 0, resetMs: 30_000, exhausted: true }, Date.now());
    const refused = await group.tryAcquire(1, Date.now());
    expect(refused).toMatchObject({ ok: false, remaining: 0 });
    expect(refused.waitMs).toBeGreaterThan(25_000);
    [w] = await group.snapshot(Date.now());
    expect(w!.remaining).toBe(0);
  });

  it("hands out prefetched permits locally and never more than were reserved", async () => {
    const store = open("prefetch", { prefetch: 9, prefetchMs: 60_000 });
    const group = store.windows("scope", "api", [fixed(25, 60_000)]);
    const first = await group.tryAcquire(1, Date.now());
    expect(first.ok).toBe(true);
    // Nine more were reserved with the first: they come without a round trip.
    for (let i = 0; i < 9; i++) {
      const r = group.tryAcquire(1, Date.now());
      expect(r).not.toBeInstanceOf(Promise);
      expect((r as { ok: boolean }).ok).toBe(true);
    }
    const [w] = await group.snapshot(Date.now());
    expect(w!.remaining).toBe(15);
    const rest = await Promise.all(Array.from({ length: 40 }, () => group.tryAcquire(1, Date.now())));
    expect(rest.filter((r) => r.ok)).toHaveLength(15);
  });

  it("decides like core's memory store (fast-check, same operations on both)", async () => {
    type Op =
      | { kind: "acquire"; count: number }
      | { kind: "correct"; remaining?: number; quota?: number; reset?: "same" | "far"; exhausted?: boolean };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("acquire" as const),
          count: fc.integer({ min: 1, max: 4 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            kind: fc.constant("correct" as const),
            remaining: fc.integer({ min: 0, max: 12 }),
            quota: fc.integer({ min: 1, max: 12 }),
            reset: fc.constantFrom("same" as const, "far" as const),
            exhausted: fc.boolean(),
          },
          { requiredKeys: ["kind"] },
        ),
      },
    );
    const hour = 3_600_000;
    const spec = fc.record({
      limit: fc.integer({ min: 1, max: 10 }),
      kind: fc.constantFrom("fixed" as const, "sliding" as const),
      burst: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 3 }),
        fc.array(op, { maxLength: 25 }),
        async (raw, ops) => {
          const specs: WindowSpec[] = raw.map((s, i) => ({
            name: `w${i}`,
            limit: s.limit,
            windowMs: hour * (i + 1),
            kind: s.kind,
            smoothing: s.burst === undefined ? undefined : { burst: s.burst },
          }));
          const memory = memoryStore().windows("scope", "api", specs);
          const prefix = uniquePrefix("parity");
          const store = redisStore({ url: SHARED_REDIS_URL, prefix, logger: () => {} });
          try {
            const redis = store.windows("scope", "api", specs);
            for (const o of ops) {
              const now = Date.now();
              if (o.kind === "acquire") {
                const m = memory.tryAcquire(o.count, now) as {
                  ok: boolean;
                  waitMs: number;
                  remaining: number;
                  blockedBy?: string;
                };
                const r = await redis.tryAcquire(o.count, now);
                expect({ ok: r.ok, remaining: r.remaining }).toEqual({ ok: m.ok, remaining: m.remaining });
                expect(waitOf(r.waitMs)).toBeCloseTo(waitOf(m.waitMs), -2);
                // Two windows can free a permit at the same instant; Redis decides on its own
                // clock a millisecond later, so the window named may be either of them. The
                // wait itself (the longest of all windows) must still agree.
                if (r.blockedBy !== m.blockedBy) {
                  expect(r.blockedBy).toBeDefined();
                  expect(m.blockedBy).toBeDefined();
                } else expect(r.blockedBy).toBe(m.blockedBy);
              } else {
                const correction = {
                  remaining: o.remaining,
                  quota: o.quota,
                  windowMs: hour,
                  resetMs: o.reset === undefined ? undefined : o.reset === "same" ? hour : hour / 2,
                  exhausted: o.exhausted,
                };
                memory.correct(correction, now);
                await redis.correct(correction, now);
              }
            }
            const m = memory.snapshot(Date.now()) as readonly { remaining: number; limit: number }[];
            const r = await redis.snapshot(Date.now());
            expect(r.map((w) => [w.limit, w.remaining])).toEqual(m.map((w) => [w.limit, w.remaining]));
          } finally {
            await store.close();
            await deleteKeys(prefix);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
