// One process of the swarm in test/faults/redis-failover.test.ts. It runs the BUILT
// packages, like a deployment, calls the test's HTTP server through a governor at full
// speed until it reads "stop" on stdin, and prints JSON lines: {"mode": …, "at": …} each
// time its window group changes where it decides, then one {"done": …} line with its counts.
//   node redis-failover-worker.mjs '<json config>'
import { createGovernor } from "../../packages/core/dist/index.js";
import { redisStore } from "../../packages/redis/dist/index.js";

const config = JSON.parse(process.argv[2] ?? "{}");
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const store = redisStore({
  url: config.redisUrl,
  prefix: config.prefix,
  fallbackShare: config.fallbackShare,
  commandTimeoutMs: config.commandTimeoutMs,
  retryMs: config.retryMs,
  logger: (line) => process.stderr.write(`${line}\n`),
});
const spec = { name: "w", limit: config.limit, windowMs: config.windowMs, kind: "fixed" };
const governor = createGovernor({
  name: `worker-${config.id}`,
  scope: "org",
  store,
  quotas: { inference: [spec] },
  concurrency: { initial: config.concurrency, max: config.concurrency, rampMs: 0 },
  retry: false,
  breaker: false,
});

let stopping = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  if (chunk.includes("stop")) stopping = true;
});

// The governor's group for this request class is the store's one instance of it.
const group = store.windows("org", "inference", [spec]);
let mode = group.mode;
print({ mode, at: Date.now() });
const watch = setInterval(() => {
  if (group.mode === mode) return;
  mode = group.mode;
  print({ mode, at: Date.now() });
}, 5);

let started = 0;
let settled = 0;
let failed = 0;
const errors = new Set();
const loop = async () => {
  while (!stopping) {
    started++;
    try {
      await governor.run(async ({ signal }) => {
        const response = await fetch(config.serverUrl, { signal });
        await response.text();
      });
    } catch (error) {
      failed++;
      errors.add(String(error?.message ?? error));
    }
    settled++;
  }
};
await Promise.all(Array.from({ length: config.concurrency }, loop));
clearInterval(watch);
await governor.close();
await store.close();
print({ done: { started, settled, failed, errors: [...errors], status: store.status } });
process.stdin.destroy();
