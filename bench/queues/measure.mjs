// One measurement of one queue kind, in a process of its own (run.mjs runs it): `waiters`
// callers wait behind a binding quota window; the heap they take while waiting, then the time
// to admit every one of them as the windows pass. `--level run` measures whole calls to
// `governor.run`; `--level gate` the quota's waiters alone (`QuotaGate.acquire`, also public).
//
//   node --expose-gc bench/queues/measure.mjs --kind priority --waiters 100000 [--level gate]
import { parseArgs } from "node:util";
import { createGovernor, ManualClock, memoryStore, QuotaGate } from "@swarmgate/core";
import { integerOption } from "../support.mjs";

const { values } = parseArgs({
  options: {
    kind: { type: "string", default: "fifo" },
    waiters: { type: "string", default: "100000" },
    "per-window": { type: "string", default: "1000" },
    level: { type: "string", default: "run" },
  },
});
const n = integerOption("waiters", values.waiters, 1);
const perWindow = integerOption("per-window", values["per-window"], 1);
if (!globalThis.gc) throw new Error("run with node --expose-gc");

const clock = new ManualClock(Date.UTC(2026, 11, 1));
const settle = () => new Promise((resolve) => setImmediate(resolve));

if (values.level === "gate") {
  const group = memoryStore().windows("bench", "inference", [
    { name: "1s", limit: perWindow, windowMs: 1_000, kind: "fixed" },
  ]);
  const gate = new QuotaGate("inference", group, clock, values.kind);
  const deadline = clock.now() + 600_000;
  for (let i = 0; i < perWindow; i++) gate.acquire({ deadline });
  await settle();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  let admitted = 0;
  const waits = new Array(n);
  for (let i = 0; i < n; i++)
    waits[i] = gate.acquire({ deadline, priority: i % 10, agent: `agent-${i % 1_000}` }).then(() => {
      admitted++;
    });
  await settle();
  globalThis.gc();
  const bytesPerWaiter = (process.memoryUsage().heapUsed - before) / gate.waiting;
  const started = process.hrtime.bigint();
  while (admitted < n) await clock.advance(1_000);
  const ns = Number(process.hrtime.bigint() - started);
  await Promise.all(waits);
  process.stdout.write(
    `${JSON.stringify({ level: "gate", kind: values.kind, waiters: n, bytesPerWaiter, nsPerAdmission: ns / n })}\n`,
  );
  process.exit(0);
}

const governor = createGovernor({
  name: "bench-queue",
  clock,
  queue: values.kind,
  retry: false,
  breaker: false,
  concurrency: false,
  quotas: { inference: [{ limit: perWindow, windowMs: 1_000 }] },
});
let admitted = 0;
const noop = () => {
  admitted++;
};
// The first window's permits go at once; everyone after waits.
await Promise.all(Array.from({ length: perWindow }, () => governor.run(noop)));
await settle();
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const calls = new Array(n);
for (let i = 0; i < n; i++) calls[i] = governor.run(noop, { priority: i % 10, agent: `agent-${i % 1_000}` });
await settle();
globalThis.gc();
const waiting = governor.stats().quota.inference.waiting;
const bytesPerWaiter = (process.memoryUsage().heapUsed - before) / waiting;
const started = process.hrtime.bigint();
while (admitted < perWindow + n) await clock.advance(1_000);
const ns = Number(process.hrtime.bigint() - started);
await Promise.all(calls);
await governor.close();
if (waiting !== n) throw new Error(`${waiting} waiters for ${n} calls`);
process.stdout.write(
  `${JSON.stringify({ level: "run", kind: values.kind, waiters: n, bytesPerWaiter, nsPerAdmission: ns / n, windows: Math.ceil(n / perWindow) })}\n`,
);
