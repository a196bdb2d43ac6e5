import type { ChildProcess } from "node:child_process";
import type { WindowSpec } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import type { ScriptClient } from "./commands.js";
import { ScopeKeys } from "./keys.js";
import { type RedisStore, redisStore } from "./redis-store.js";
import {
  deleteKeys,
  eventually,
  freePort,
  kill,
  SHARED_REDIS_URL,
  startRedisServer,
  uniquePrefix,
} from "./test-support.js";

const children: ChildProcess[] = [];
const stores: RedisStore[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGCONT");
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(children.map((c) => kill(c)));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

const spec: WindowSpec = { name: "w", limit: 40, windowMs: 60_000, kind: "fixed" };

function open(url: string, prefix: string): RedisStore {
  const store = redisStore({
    url,
    prefix,
    fallbackShare: 0.25,
    commandTimeoutMs: 200,
    retryMs: 50,
    logger: () => {},
  });
  stores.push(store);
  return store;
}

async function privateRedis(): Promise<{ url: string; port: number; server: ChildProcess }> {
  const port = await freePort();
  const server = await startRedisServer(port);
  children.push(server);
  return { url: `redis://127.0.0.1:${port}`, port, server };
}

const take = async (group: { tryAcquire(n: number, now: number): unknown }, n: number) => {
  let ok = 0;
  for (let i = 0; i < n; i++) if (((await group.tryAcquire(1, Date.now())) as { ok: boolean }).ok) ok++;
  return ok;
};

describe("the fallback of a window group", () => {
  it("starts from Redis's last state, writes its admissions back into a restarted Redis, and holds", async () => {
    const redis = await privateRedis();
    const prefix = uniquePrefix("seed");
    const store = open(redis.url, prefix);
    const group = store.windows("org", "api", [spec]);
    expect(await take(group, 30)).toBe(30);
    const key = new ScopeKeys(prefix, "org").window("api", "w");
    const resetAt = Number(await store.client.hget(key, "resetAt"));

    await kill(redis.server);
    // 10 left for the swarm: this process may take a quarter of them, and at most 1/16 of the quota.
    expect(await take(group, 10)).toBe(2);
    expect(group.mode).toBe("fallback");
    const refused = await group.tryAcquire(1, Date.now());
    expect(refused.ok).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(50_000); // until the window Redis counted ends

    children.push(await startRedisServer(redis.port));
    expect(await eventually(() => group.mode === "hold", 10_000)).toBe(true);
    // The new, empty Redis has the window back: its boundary, what it had counted, and the two.
    expect(Number(await store.client.hget(key, "resetAt"))).toBe(resetAt);
    expect(Number(await store.client.hget(key, "used"))).toBe(32);
    // Held until the window's end (a minute away): still on the share, nothing more in this window.
    expect((await group.tryAcquire(1, Date.now())).ok).toBe(false);
    expect(group.mode).toBe("hold");
  });

  it("settles calls in flight when Redis hangs, and Redis runs none of them after the hang", async () => {
    const redis = await privateRedis();
    const prefix = uniquePrefix("hang");
    const store = open(redis.url, prefix);
    const group = store.windows("org", "api", [spec]);
    expect(await take(group, 4)).toBe(4);
    const slots = store.slots("org");
    const lease = await slots.tryAcquire(8, Date.now());
    expect(typeof lease).toBe("string");

    redis.server.kill("SIGSTOP");
    const started = performance.now();
    const inFlight = await Promise.all([group.tryAcquire(1, Date.now()), slots.tryAcquire(8, Date.now())]);
    const settledMs = Math.round(performance.now() - started);
    const afterwards = performance.now();
    await group.tryAcquire(1, Date.now());
    const nextMs = Math.round(performance.now() - afterwards);
    console.log("hung Redis figures", JSON.stringify({ commandTimeoutMs: 200, settledMs, nextMs }));
    expect(inFlight[0].ok).toBe(true); // answered by the fallback
    expect(inFlight[1]).toBeDefined(); // a local lease
    expect(store.status).toBe("fallback");
    await slots.release(lease!); // cannot reach Redis now: freed when it answers again

    redis.server.kill("SIGCONT");
    expect(await eventually(() => store.status === "connected", 10_000)).toBe(true);
    const keys = new ScopeKeys(prefix, "org");
    // The acquires queued behind the hang ran after it, past their deadline: they took nothing.
    expect(await eventually(async () => (await store.client.zcard(keys.slots())) === 0, 5_000)).toBe(true);
    // Used: the four before, and the two the fallback admitted, replayed; nothing else.
    const used = async () => Number(await store.client.hget(keys.window("api", "w"), "used"));
    expect(await eventually(async () => (await used()) === 6, 5_000)).toBe(true);
  });
});

describe("the REPLAY script", () => {
  const call = async (store: RedisStore, prefix: string, args: (string | number)[]) => {
    const keys = new ScopeKeys(prefix, "org");
    const head = [2, keys.window("api", "w"), keys.windowLog("api", "w"), 1, 40, 60_000, 0, 0];
    const client = store.client as ScriptClient;
    return (await client.swarmgateReplay(...(head as [number, ...string[]]), ...args)).map(Number);
  };

  it("counts a replay once, charges no window that has reset, and holds only after a swarm-wide outage", async () => {
    const prefix = uniquePrefix("replay");
    prefixes.push(prefix);
    const store = open(SHARED_REDIS_URL, prefix);
    const group = store.windows("org", "api", [spec]);
    expect(await take(group, 10)).toBe(10); // a process live on Redis
    const key = new ScopeKeys(prefix, "org").window("api", "w");
    const resetAt = Number(await store.client.hget(key, "resetAt"));
    const liveAt = Number(await store.client.hget(key, "liveAt"));

    // A process that lost Redis before that live decision: it is late, it gets no hold.
    const late = await call(store, prefix, ["p", 1, liveAt - 1, 5_000, 3, resetAt, 5]);
    expect(late[1]).toBe(0);
    expect(Number(await store.client.hget(key, "used"))).toBe(13);
    // Sent again (its answer lost): counted once.
    await call(store, prefix, ["p", 1, liveAt - 1, 5_000, 3, resetAt, 5]);
    expect(Number(await store.client.hget(key, "used"))).toBe(13);
    // Admissions of a window that has ended are not charged to the current one.
    await call(store, prefix, ["p", 2, liveAt - 1, 0, 7, resetAt - 60_000, 0]);
    expect(Number(await store.client.hget(key, "used"))).toBe(13);
    // Nobody decided on Redis since this one lost it: hold until the window's end.
    const [redisNow, hold] = await call(store, prefix, ["q", 1, liveAt + 1, 5_000, 0, resetAt, -1]);
    expect(hold).toBe(resetAt);
    expect(hold).toBeGreaterThan(redisNow!);
    // Everyone who comes back before that instant holds until the same one.
    expect((await call(store, prefix, ["r", 1, 0, 5_000, 0, resetAt, -1]))[1]).toBe(resetAt);
  });
});
