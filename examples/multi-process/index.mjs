// Several worker processes, one Hugging Face quota: every worker runs its own governor, and
// all of them share the quota windows and concurrency slots through Redis.
//
//   pnpm build && node examples/multi-process/index.mjs [workers] [windows]
//
// REDIS_URL (default redis://127.0.0.1:6379) names the Redis. The parent forks the workers,
// collects the instant of every admitted call, and prints how many each window admitted.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createGovernor } from "@swarmgate/core";
import { redisStore } from "@swarmgate/redis";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// A compressed Hugging Face window: 20 calls per 2 seconds, shared by every worker.
const window = { name: "2s", limit: 20, windowMs: 2_000, kind: "fixed" };

if (process.argv[2] === "--worker") await worker(process.argv[3]);
else await parent(Number(process.argv[2] ?? 4), Number(process.argv[3] ?? 5));

async function parent(workers, windows) {
  const prefix = `example-${randomBytes(3).toString("hex")}`;
  const store = redisStore({ url, prefix });
  // Align the shared window on even 2-second boundaries, as a server's RateLimit reset would,
  // and spend what is left of the current one, so that every admission below falls in a
  // window that the table counts.
  // (A reset within a second of the store's own guess would be taken as the same window.)
  const group = store.windows("my-org", "inference", [window]);
  if (window.windowMs - (Date.now() % window.windowMs) > 900)
    await new Promise((resolve) =>
      setTimeout(resolve, window.windowMs - (Date.now() % window.windowMs) - 900),
    );
  const resetMs = window.windowMs - (Date.now() % window.windowMs);
  await group.correct({ remaining: 0, resetMs, windowMs: window.windowMs }, Date.now());
  const start = Math.ceil(Date.now() / window.windowMs) * window.windowMs;
  const end = start + windows * window.windowMs;
  console.log(
    `${workers} workers share ${window.limit} calls per ${window.windowMs / 1000} s through ${url}\n`,
  );

  const counts = new Map(); // window index → admissions per worker
  const children = Array.from({ length: workers }, (_, id) => {
    const child = fork(fileURLToPath(import.meta.url), [
      "--worker",
      JSON.stringify({ id, prefix, start, end }),
    ]);
    child.on("message", (admittedAt) => {
      for (const at of admittedAt) {
        const index = Math.floor((at - start) / window.windowMs);
        if (index < 0 || index >= windows) continue;
        const row = counts.get(index) ?? new Array(workers).fill(0);
        row[id]++;
        counts.set(index, row);
      }
    });
    return new Promise((resolve) => child.on("exit", resolve));
  });
  await Promise.all(children);
  for (let i = 0; i < windows; i++) {
    const row = counts.get(i) ?? new Array(workers).fill(0);
    const total = row.reduce((a, b) => a + b, 0);
    const perWorker = row.map((n, id) => `worker ${id}: ${String(n).padStart(2)}`).join("  ");
    console.log(
      `window ${i + 1}: ${perWorker}  | total ${total} of ${window.limit}${total > window.limit ? "  OVER!" : ""}`,
    );
  }
  await store.close();
}

async function worker(config) {
  const { id, prefix, start, end } = JSON.parse(config);
  // fallbackShare: if Redis goes away, each of the 4 workers keeps to a quarter of the quota.
  const store = redisStore({ url, prefix, fallbackShare: 0.25 });
  const governor = createGovernor({
    name: `worker-${id}`,
    scope: "my-org",
    store,
    quotas: { inference: [window] },
    concurrency: { initial: 8, max: 8, rampMs: 0 },
    retry: false,
  });
  const admittedAt = [];
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now())));
  // Sixteen agents per worker, each calling a pretend model (50 ms) as often as it may.
  const agent = async () => {
    while (Date.now() < end) {
      try {
        await governor.run(
          async () => {
            admittedAt.push(Date.now());
            await new Promise((resolve) => setTimeout(resolve, 50));
          },
          { operation: "chat", model: "pretend-model", totalTimeoutMs: Math.max(1, end - Date.now()) },
        );
      } catch {
        // the call's deadline fell before its next permit: the run is over
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, agent));
  process.send(admittedAt, async () => {
    await governor.close();
    await store.close();
    process.exit(0);
  });
}
