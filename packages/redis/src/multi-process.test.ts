import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScopeKeys } from "./keys.js";
import { type RedisStore, redisStore } from "./redis-store.js";
import {
  deleteKeys,
  eventually,
  freePort,
  kill,
  SHARED_REDIS_URL,
  sleep,
  startRedisServer,
  uniquePrefix,
} from "./test-support.js";

// Real child processes, each running the BUILT packages (`pnpm build` runs before the
// root `pnpm test`; when dist/ is missing, it is built here).
const root = fileURLToPath(new URL("../../../", import.meta.url));
const worker = fileURLToPath(new URL("../test/worker.mjs", import.meta.url));
const children: ChildProcess[] = [];
const stores: RedisStore[] = [];
const prefixes: string[] = [];

beforeAll(() => {
  if (!existsSync(`${root}packages/redis/dist/index.js`) || !existsSync(`${root}packages/core/dist/index.js`))
    execFileSync("pnpm", ["exec", "tsc", "-b", "packages/redis/tsconfig.json"], {
      cwd: root,
      stdio: "inherit",
    });
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((c) => kill(c)));
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

interface Running {
  readonly child: ChildProcess;
  /** Resolves with the worker's last stdout line, parsed, when it exits 0. */
  readonly result: Promise<Record<string, unknown>>;
  /** Resolves with the first stdout line. */
  readonly firstLine: Promise<Record<string, unknown>>;
}

function start(config: Record<string, unknown>): Running {
  const child = spawn(process.execPath, [worker, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  let onFirst: (v: Record<string, unknown>) => void = () => {};
  const firstLine = new Promise<Record<string, unknown>>((resolve) => (onFirst = resolve));
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk;
    const line = out.split("\n")[0];
    if (out.includes("\n") && line) onFirst(JSON.parse(line));
  });
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk));
  const result = new Promise<Record<string, unknown>>((resolve, reject) =>
    child.once("exit", (code) => {
      const lines = out.trim().split("\n");
      if (code === 0) resolve(JSON.parse(lines[lines.length - 1]!));
      else reject(new Error(`worker exited with ${code}: ${err}`));
    }),
  );
  result.catch(() => {}); // killed on purpose by some tests: only an awaited result may fail one
  return { child, result, firstLine };
}

function open(prefix: string, url = SHARED_REDIS_URL, leaseTtlMs?: number): RedisStore {
  const store = redisStore({ url, prefix, leaseTtlMs, logger: () => {} });
  stores.push(store);
  return store;
}

describe("several processes sharing one Redis", () => {
  it("never admit more than the limit in any window (4 processes, with and without prefetch)", async () => {
    const prefix = uniquePrefix("mp-quota");
    prefixes.push(prefix);
    const [limit, windowMs] = [60, 400];
    // Align the windows on a known boundary, as a server's RateLimit reset would, and read it back.
    const store = open(prefix);
    const group = store.windows("org", "api", [{ name: "w", limit, windowMs, kind: "fixed" }]);
    await group.correct({ resetMs: windowMs, windowMs }, Date.now());
    const redis = new Redis(SHARED_REDIS_URL);
    const boundary = Number(await redis.hget(new ScopeKeys(prefix, "org").window("api", "w"), "resetAt"));
    redis.disconnect();

    const base = {
      mode: "store",
      url: SHARED_REDIS_URL,
      prefix,
      scope: "org",
      limit,
      windowMs,
      durationMs: 2_500,
      concurrency: 16,
    };
    const workers = [0, 0, 5, 20].map((prefetch) => start({ ...base, prefetch }));
    const results = await Promise.all(workers.map((w) => w.result));

    const perWindow = new Map<number, number>();
    let late = 0;
    let fromStock = 0;
    for (const r of results)
      for (const [decidedAt, handedAt, prefetched] of r.admissions as [number, number, boolean][]) {
        const index = Math.floor((decidedAt - boundary) / windowMs);
        perWindow.set(index, (perWindow.get(index) ?? 0) + 1);
        // A permit granted by this round trip may arrive after its window ended (the reply's
        // travel time); one reserved earlier and kept in stock must not be handed out then.
        if (prefetched) fromStock++;
        if (prefetched && handedAt >= boundary + (index + 1) * windowMs) late++;
      }
    const counts = [...perWindow.values()];
    expect(Math.max(...counts)).toBeLessThanOrEqual(limit);
    expect(fromStock).toBeGreaterThan(0); // the prefetching workers did hand out stock
    expect(late).toBe(0); // a prefetched permit is never handed out after its window ended
    expect(counts.filter((c) => c === limit).length).toBeGreaterThan(2); // the swarm did saturate the quota
  });

  it("frees the leases of a killed process after their TTL, and only those", async () => {
    const prefix = uniquePrefix("mp-leases");
    prefixes.push(prefix);
    const base = {
      mode: "slots",
      url: SHARED_REDIS_URL,
      prefix,
      scope: "org",
      limit: 6,
      hold: 3,
      leaseTtlMs: 600,
    };
    const [victim, survivor] = [start(base), start(base)];
    await Promise.all([victim.firstLine, survivor.firstLine]);
    const pool = open(prefix, SHARED_REDIS_URL, 600).slots("org");
    expect(await pool.tryAcquire(6, Date.now())).toBeUndefined();
    await kill(victim.child); // SIGKILL: no release, no goodbye
    let got = 0;
    expect(
      await eventually(async () => {
        if ((await pool.tryAcquire(6, Date.now())) !== undefined) got++;
        return got === 3;
      }, 10_000),
    ).toBe(true);
    // The survivor's heartbeat keeps its three alive well past their TTL.
    await sleep(1_500);
    expect(await pool.tryAcquire(6, Date.now())).toBeUndefined();
  });

  it("keep every call going while Redis is killed and restarted mid-run", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const server = await startRedisServer(port);
    children.push(server);
    const prefix = uniquePrefix("mp-restart");
    const base = {
      mode: "governor",
      url,
      prefix,
      scope: "org",
      limit: 100_000,
      windowMs: 60_000,
      durationMs: 4_500,
      concurrency: 8,
      commandTimeoutMs: 200,
    };
    const workers = [start(base), start(base), start(base)];
    await Promise.all(workers.map((w) => w.firstLine)); // every process has its calls going
    await kill(server);
    await sleep(900); // the outage: long enough for every process to decide on its own
    children.push(await startRedisServer(port));
    const results = await Promise.all(workers.map((w) => w.result));
    for (const r of results) {
      expect(r.started).toBeGreaterThan(0);
      expect(r.settled).toBe(r.started); // nothing hung, nothing lost
      expect(r.failed).toBe(0);
      expect(r.statuses).toContain("fallback");
      expect(r.finalStatus).toBe("connected");
    }
  });

  it("share the breaker: one process opens it, every process sees it open", async () => {
    const prefix = uniquePrefix("mp-breaker");
    prefixes.push(prefix);
    const opener = start({ mode: "breaker", url: SHARED_REDIS_URL, prefix, scope: "org", openForMs: 5_000 });
    await opener.result;
    const breaker = open(prefix).breaker("org", "router");
    expect(await breaker.openUntil(Date.now())).toBeGreaterThan(Date.now() + 3_000);
    expect(await breaker.tryProbe(Date.now())).toBe(false);
  });
});
