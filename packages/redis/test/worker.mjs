// A worker process for the multi-process tests (packages/redis/src/multi-process.test.ts).
// It imports the BUILT packages, like a real deployment, and prints one JSON line at the end.
//   node worker.mjs '<json config>'
import { createGovernor } from "@swarmgate/core";
import { redisStore } from "../dist/index.js";

const config = JSON.parse(process.argv[2] ?? "{}");
const store = redisStore({
  url: config.url,
  prefix: config.prefix,
  prefetch: config.prefetch ?? 0,
  leaseTtlMs: config.leaseTtlMs ?? 30_000,
  commandTimeoutMs: config.commandTimeoutMs ?? 1_000,
  retryMs: 100,
  fallbackShare: config.fallbackShare ?? 0.25,
  logger: (line) => process.stderr.write(`${line}\n`),
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const spec = { name: "w", limit: config.limit, windowMs: config.windowMs, kind: "fixed" };

async function storeMode() {
  // Many concurrent callers hammer one window through the store; each admission reports the
  // Redis time of the decision that reserved it, when it was handed out, and whether it came
  // from the stock of prefetched permits.
  const group = store.windows(config.scope, "api", [spec]);
  const admissions = [];
  const end = Date.now() + config.durationMs;
  const loop = async () => {
    while (Date.now() < end) {
      const result = await group.tryAcquire(1, Date.now());
      if (result.ok) admissions.push([result.decidedAt, Date.now(), result.prefetched === true]);
      else await sleep(Math.min(result.waitMs, 10));
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, loop));
  return { admissions };
}

async function governorMode() {
  // A governor per process, calls through `run`, while the test may kill and restart Redis.
  const governor = createGovernor({
    name: "worker",
    scope: config.scope,
    store,
    quotas: { inference: [spec] },
    concurrency: { initial: 4, max: 4, rampMs: 0, pollMs: 10 },
    retry: false,
    breaker: false,
  });
  const statuses = new Set([store.status]);
  let started = 0;
  let settled = 0;
  let failed = 0;
  const admittedAt = [];
  const end = Date.now() + config.durationMs;
  const loop = async () => {
    while (Date.now() < end) {
      started++;
      try {
        await governor.run(async () => {
          admittedAt.push(Date.now());
          await sleep(2);
        });
      } catch {
        failed++;
      }
      settled++;
      statuses.add(store.status);
      if (settled === 1) process.stdout.write(`${JSON.stringify({ running: true })}\n`);
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, loop));
  await governor.close();
  return { started, settled, failed, statuses: [...statuses], finalStatus: store.status, admittedAt };
}

async function slotsMode() {
  // Takes `hold` leases and keeps them (the heartbeat renews them) until killed.
  const pool = store.slots(config.scope);
  let held = 0;
  while (held < config.hold) if ((await pool.tryAcquire(config.limit, Date.now())) !== undefined) held++;
  process.stdout.write(`${JSON.stringify({ held })}\n`);
  await new Promise(() => setInterval(() => {}, 1_000));
}

async function breakerMode() {
  const breaker = store.breaker(config.scope, "router");
  const now = Date.now();
  await breaker.open(now + config.openForMs, now);
  return { opened: true };
}

const modes = { store: storeMode, governor: governorMode, slots: slotsMode, breaker: breakerMode };
const result = await modes[config.mode]();
await store.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
