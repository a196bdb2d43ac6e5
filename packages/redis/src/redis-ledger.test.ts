import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, freePort, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const prefixes: string[] = [];

function open(prefix: string, url = SHARED_REDIS_URL): RedisStore {
  prefixes.push(prefix);
  const store = redisStore({ url, prefix, fallbackShare: 0.5, commandTimeoutMs: 200, logger: () => {} });
  stores.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

describe("RedisLedger", () => {
  it("reserves against one monthly limit shared by every store, and settles", async () => {
    const prefix = uniquePrefix("ledger");
    const [a, b] = [open(prefix).ledger("org"), open(prefix).ledger("org")];
    expect(await a.reserve("2026-11", 0.6, 1)).toEqual({ ok: true, spentUsd: 0, reservedUsd: 0.6 });
    expect(await b.reserve("2026-11", 0.5, 1)).toMatchObject({ ok: false, reservedUsd: 0.6 });
    await a.settle("2026-11", 0.6, 0.2);
    expect(await b.read("2026-11")).toEqual({ spentUsd: 0.2, reservedUsd: 0 });
    expect(await b.reserve("2026-11", 0.5, 1)).toMatchObject({ ok: true });
    expect(await b.read("2026-12")).toEqual({ spentUsd: 0, reservedUsd: 0 });
  });

  it("survives a restart: a new store instance reads the month's spending", async () => {
    const prefix = uniquePrefix("restart");
    const first = open(prefix);
    await first.ledger("org").reserve("2026-11", 0.25, 2);
    await first.ledger("org").settle("2026-11", 0.25, 0.3);
    await first.close();
    expect(await open(prefix).ledger("org").read("2026-11")).toEqual({ spentUsd: 0.3, reservedUsd: 0 });
  });

  it("decides locally on its share while Redis is unreachable", async () => {
    const store = open(uniquePrefix("offline"), `redis://127.0.0.1:${await freePort()}`);
    const ledger = store.ledger("org");
    expect(await ledger.reserve("2026-11", 0.4, 1)).toMatchObject({ ok: true });
    expect(await ledger.reserve("2026-11", 0.2, 1)).toMatchObject({ ok: false }); // share 0.5 of $1
    await ledger.settle("2026-11", 0.4, 0.1);
    expect(store.status).toBe("fallback");
    expect(await ledger.read("2026-11")).toEqual({ spentUsd: 0.1, reservedUsd: 0 });
  });
});
