import { createGovernor, type Governor, quotaPolicy, type WindowSpec } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, eventually, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const prefixes: string[] = [];
const governors: Governor[] = [];

function open(prefix: string): RedisStore {
  prefixes.push(prefix);
  const store = redisStore({ url: SHARED_REDIS_URL, prefix, logger: () => {} });
  stores.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(governors.map((g) => g.close()));
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

const spec = (kind: "fixed" | "sliding", limit: number, windowMs: number): WindowSpec => ({
  name: "w",
  limit,
  windowMs,
  kind,
});
const remaining = async (store: RedisStore, s: WindowSpec) =>
  (await store.windows("scope", "tokens", [s]).snapshot(Date.now()))[0]!.remaining;

describe("weighted permits in Redis", () => {
  for (const kind of ["fixed", "sliding"] as const)
    it(`${kind}: takes n permits at once, gives back the unused part, takes an overshoot`, async () => {
      const store = open(uniquePrefix(`weighted-${kind}`));
      const s = spec(kind, 1_000, 60_000);
      const group = store.windows("scope", "tokens", [s]);
      expect(await group.tryAcquire(500, Date.now())).toMatchObject({ ok: true });
      const takenAt = Date.now(); // when the grant came back, as the quota policy records it
      expect(await group.tryAcquire(600, Date.now())).toMatchObject({ ok: false });
      await group.adjust(-300, Date.now(), takenAt);
      expect(await remaining(store, s)).toBe(800);
      await group.adjust(+600, Date.now(), takenAt);
      expect(await remaining(store, s)).toBe(200);
    });

  it("fixed: a give-back for a window that has rolled over is dropped", async () => {
    const store = open(uniquePrefix("weighted-roll"));
    const s = spec("fixed", 100, 300);
    const group = store.windows("scope", "tokens", [s]);
    expect(await group.tryAcquire(80, Date.now())).toMatchObject({ ok: true });
    const takenAt = Date.now();
    // The window rolls over on Redis's clock: a snapshot (read-only) shows it.
    expect(await eventually(async () => (await remaining(store, s)) === 100, 5_000)).toBe(true);
    expect(await group.tryAcquire(50, Date.now())).toMatchObject({ ok: true });
    await group.adjust(-60, Date.now(), takenAt);
    expect(await remaining(store, s)).toBe(50);
  });

  it("reconciles a governed call's tokens in the quota every process shares", async () => {
    const prefix = uniquePrefix("weighted-governor");
    const make = (store: RedisStore) => {
      const governor = createGovernor({
        name: "tpm",
        store,
        retry: false,
        breaker: false,
        concurrency: false,
        policies: (defaults, kit) => [
          ...defaults,
          quotaPolicy(kit, {
            name: "tokens",
            requestClass: "tokens",
            quotas: { tokens: [{ name: "tpm", limit: 10_000, windowMs: 60_000 }] },
            permits: () => 4_000,
            reconcile: (usage) => usage.inputTokens + usage.outputTokens,
          }),
        ],
      });
      governors.push(governor);
      return governor;
    };
    const [a, b] = [make(open(prefix)), make(open(prefix))];
    await a.run(({ reportUsage }) => reportUsage({ inputTokens: 700, outputTokens: 300 }));
    await b.run(({ reportUsage }) => reportUsage({ inputTokens: 5_000, outputTokens: 1_000 }));
    const seen = (await a.snapshot()).windows.tokens?.[0];
    expect(seen?.remaining).toBe(10_000 - 1_000 - 6_000);
    expect((await b.snapshot()).windows.tokens?.[0]?.remaining).toBe(seen?.remaining);
  });
});
