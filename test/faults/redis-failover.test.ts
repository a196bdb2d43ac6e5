// Redis failure with a real swarm: 4 child processes run governed calls at full speed
// against an HTTP server that counts every request it receives per window (the independent
// counter), while the test SIGKILLs and restarts their Redis, then SIGSTOPs and SIGCONTs it.
// Real processes and a real Redis: real time, bounds rather than exact timings.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type RedisStore, redisStore, ScopeKeys } from "@swarmgate/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePort, kill, startRedisServer } from "../../packages/redis/src/test-support.js";
import { ensureBuilt } from "./redis-failover-support.js";

const worker = fileURLToPath(new URL("./redis-failover-worker.mjs", import.meta.url));
const PROCESSES = 4;
const QUOTA = 40;
const WINDOW_MS = 2_000;
const SHARE = 1 / PROCESSES;
const BOUND = QUOTA * (1 + SHARE);
const CALL_MS = 100;

const children: ChildProcess[] = [];
let redis: ChildProcess;
let port: number;
let server: Server;
let boundary = 0;
const perWindow = new Map<number, number>();
const windowOf = (t: number) => Math.floor((t - boundary) / WINDOW_MS);

interface Worker {
  readonly child: ChildProcess;
  readonly modes: { mode: string; at: number }[];
  readonly done: Promise<{
    started: number;
    settled: number;
    failed: number;
    errors: string[];
  }>;
}

function startWorker(config: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [worker, JSON.stringify(config)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  const modes: Worker["modes"] = [];
  let out = "";
  let err = "";
  let onDone: (v: Awaited<Worker["done"]>) => void = () => {};
  const done = new Promise<Awaited<Worker["done"]>>((resolve, reject) => {
    onDone = resolve;
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before reporting: ${err}`)));
  });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    let nl = out.indexOf("\n");
    while (nl >= 0) {
      const line = JSON.parse(out.slice(0, nl));
      out = out.slice(nl + 1);
      if (line.mode) modes.push(line);
      if (line.done) onDone(line.done);
      nl = out.indexOf("\n");
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  done.catch(() => {}); // killed at the end when a test failed: only an awaited result may fail it
  return { child, modes, done };
}

const modeOf = (w: Worker) => w.modes[w.modes.length - 1]?.mode;
/** When every worker has been in `mode` since `since`, the latest of their switches to it; else undefined. */
const allIn = (workers: Worker[], mode: string, since: number) => {
  let latest = since;
  for (const w of workers) {
    const last = w.modes[w.modes.length - 1];
    if (last?.mode !== mode || last.at < since) return undefined;
    latest = Math.max(latest, last.at);
  }
  return latest;
};

/** Real time: waits until `fraction` of the way into the next window. */
async function intoWindow(fraction: number): Promise<void> {
  const now = Date.now();
  const target = boundary + (windowOf(now) + 1 + fraction) * WINDOW_MS;
  await new Promise((resolve) => setTimeout(resolve, target - now));
}

beforeAll(async () => {
  ensureBuilt();
  port = await freePort();
  redis = await startRedisServer(port);
  children.push(redis);
  server = createServer((_req, res) => {
    const w = windowOf(Date.now());
    perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
    // A call takes a while, so that a window fills over time and an outage can find it half used.
    setTimeout(() => res.end("ok"), CALL_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.signalCode === null && c.exitCode === null) c.kill("SIGCONT");
  await Promise.all(children.map((c) => kill(c)));
  await new Promise((resolve) => server.close(resolve));
});

describe("Redis failure with 4 real processes", () => {
  it("stays within quota × (1 + fallbackShare) per window across a SIGKILL, a restart and a SIGSTOP, and loses no call", async () => {
    const redisUrl = `redis://127.0.0.1:${port}`;
    const prefix = "faults-failover";
    // Align the swarm's window on a boundary the counter knows, as a server's reset would.
    const store: RedisStore = redisStore({ url: redisUrl, prefix, logger: () => {} });
    const key = new ScopeKeys(prefix, "org").window("inference", "w");
    const spec = { name: "w", limit: QUOTA, windowMs: WINDOW_MS, kind: "fixed" } as const;
    await store
      .windows("org", "inference", [spec])
      .correct({ resetMs: WINDOW_MS, windowMs: WINDOW_MS }, Date.now());
    boundary = Number(await store.client.hget(key, "resetAt"));
    await store.close();

    const config = {
      redisUrl,
      prefix,
      serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      limit: QUOTA,
      windowMs: WINDOW_MS,
      fallbackShare: SHARE,
      commandTimeoutMs: 200,
      retryMs: 100,
      concurrency: 8,
    };
    const workers = Array.from({ length: PROCESSES }, (_, id) => startWorker({ ...config, id }));
    const phases: Record<string, [number, number]> = {};

    // Warm up until the swarm saturates the shared window, then count from the next boundary:
    // a process's first requests are slow (its HTTP connection, the JIT), so a permit granted
    // late in a window could reach the counter in the next one.
    const saturated = () => (perWindow.get(windowOf(Date.now()) - 1) ?? 0) >= QUOTA;
    expect(await eventually(saturated, 15_000)).toBe(true);
    await intoWindow(0);
    perWindow.clear();

    // SIGKILL early in a window (part of it used); restart (no persistence) after a boundary
    // has passed on the fallback.
    await intoWindow(0.1);
    await kill(redis);
    const killedAt = Date.now();
    expect(await eventually(() => allIn(workers, "fallback", killedAt) !== undefined, 10_000)).toBe(true);
    await intoWindow(0.5);
    redis = await startRedisServer(port);
    children.push(redis);
    const restartedAt = Date.now();
    expect(await eventually(() => allIn(workers, "redis", restartedAt) !== undefined, 15_000)).toBe(true);
    const killRecovered = allIn(workers, "redis", restartedAt)!;
    phases.kill = [windowOf(killedAt), windowOf(killRecovered)];
    // The replays restored the window's boundary in the new, empty Redis.
    const probe = redisStore({ url: redisUrl, prefix, logger: () => {} });
    expect(await eventually(() => probe.client.status === "ready")).toBe(true);
    const resetAt = Number(await probe.client.hget(key, "resetAt"));
    await probe.close();
    expect((resetAt - boundary) % WINDOW_MS).toBe(0);

    // SIGSTOP (the connection stays open, nothing answers) early in a window; SIGCONT after a boundary.
    await intoWindow(0.1);
    redis.kill("SIGSTOP");
    const stoppedAt = Date.now();
    expect(await eventually(() => allIn(workers, "fallback", stoppedAt) !== undefined, 10_000)).toBe(true);
    await intoWindow(0.5);
    redis.kill("SIGCONT");
    const continuedAt = Date.now();
    expect(await eventually(() => allIn(workers, "redis", continuedAt) !== undefined, 15_000)).toBe(true);
    const stopRecovered = allIn(workers, "redis", continuedAt)!;
    phases.stop = [windowOf(stoppedAt), windowOf(stopRecovered)];

    // One more window on Redis, then stop: every call started must have settled.
    await intoWindow(0.5);
    for (const w of workers) w.child.stdin?.end("stop\n");
    const results = await Promise.all(workers.map((w) => w.done));

    const counts = [...perWindow.entries()].sort((a, b) => a[0] - b[0]);
    const max = Math.max(...counts.map(([, c]) => c));
    const inPhase = (name: string) => {
      const [from, to] = phases[name]!;
      return counts.filter(([w]) => w >= from && w <= to + 1).map(([, c]) => c);
    };
    const figures = {
      processes: PROCESSES,
      quota: QUOTA,
      windowMs: WINDOW_MS,
      fallbackShare: SHARE,
      bound: BOUND,
      maxPerWindow: max,
      perWindow: counts.map(([, c]) => c).join(" "),
      callsStarted: results.reduce((n, r) => n + r.started, 0),
      callsSettled: results.reduce((n, r) => n + r.settled, 0),
      callsFailed: results.reduce((n, r) => n + r.failed, 0),
      restartToSharedMs: killRecovered - restartedAt,
      sigcontToSharedMs: stopRecovered - continuedAt,
    };
    console.log("redis-failover figures", JSON.stringify(figures, null, 2));

    for (const r of results) {
      expect(r.settled).toBe(r.started); // nothing lost, nothing hung
      expect(r.failed, r.errors.join("; ")).toBe(0);
    }
    expect(max).toBeLessThanOrEqual(BOUND);
    for (const w of workers) {
      expect(w.modes.map((m) => m.mode)).toContain("hold"); // every process kept to its share after Redis came back
      expect(modeOf(w)).toBe("redis");
    }
    // The swarm kept working through both outages: the windows around them were used.
    expect(Math.min(...inPhase("kill"), ...inPhase("stop"))).toBeGreaterThan(0);
  });
});
