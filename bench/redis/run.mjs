// Benchmark of @swarmgate/redis against rate-limiter-flexible's Redis limiter and bottleneck's
// Redis clustering, on the same Redis: admissions per second and per-call latency from 1, 4
// and 8 processes, and a binding-quota run that counts admissions per window.
//
//   node bench/redis/run.mjs [--url redis://127.0.0.1:6379] [--seconds 3] [--concurrency 64] [--processes 1,4,8]
//
// Also a suite of bench/run.mjs (`node bench/run.mjs --only redis`). Needs `pnpm build` first.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";

const worker = fileURLToPath(new URL("./worker.mjs", import.meta.url));

function parse(argv) {
  const o = { url: "redis://127.0.0.1:6379", seconds: 3, concurrency: 64, processes: [1, 4, 8] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=");
    const value = inline ?? argv[++i];
    if (flag === "--url") o.url = value;
    else if (flag === "--seconds") o.seconds = Number(value);
    else if (flag === "--concurrency") o.concurrency = Number(value);
    else if (flag === "--processes") o.processes = value.split(",").map(Number);
    else
      throw new TypeError(`Expected a flag among --url, --seconds, --concurrency, --processes, got ${flag}`);
  }
  return o;
}

/** Forks `processes` workers of one contender, starts them together, gathers their reports. */
async function measure({
  contender,
  processes,
  seconds,
  concurrency,
  limit,
  windowMs,
  url,
  extra = {},
  audit = false,
}) {
  const prefix = `sgbench-${randomBytes(4).toString("hex")}`;
  const children = Array.from({ length: processes }, () =>
    fork(worker, { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  const base = { contender, url, prefix, limit, windowMs, concurrency, audit, ...extra };
  await Promise.all(
    children.map((child) => {
      child.send(base);
      return new Promise((resolve) => child.once("message", resolve));
    }),
  );
  const startAt = Date.now() + 300;
  const endAt = startAt + seconds * 1000;
  const reports = await Promise.all(
    children.map((child) => {
      child.send({ startAt, endAt });
      return new Promise((resolve) => child.once("message", resolve));
    }),
  );
  await cleanup(url, prefix);
  const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const admitted = reports.reduce((sum, r) => sum + r.admitted, 0);
  return {
    contender: extra.label ?? contender,
    processes,
    perSecond: admitted / seconds,
    p50: at(0.5),
    p99: at(0.99),
    decisions: reports.flatMap((r) => r.decisions),
  };
}

async function cleanup(url, prefix) {
  const client = new Redis(url);
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `*${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
  client.disconnect();
}

const contenders = [
  { contender: "swarmgate", extra: { label: "@swarmgate/redis", prefetch: 0 } },
  { contender: "swarmgate", extra: { label: "@swarmgate/redis (prefetch 64)", prefetch: 64 } },
  { contender: "rate-limiter-flexible" },
  { contender: "bottleneck" },
];

/** Runs every measurement and prints a markdown table; returns the rows. */
export async function run({ argv = [] } = {}) {
  const o = parse(argv);
  const rows = [];
  // Throughput: a quota too large to bind, so each contender runs as fast as it can decide.
  for (const c of contenders)
    for (const processes of o.processes) {
      const r = await measure({ ...c, ...o, processes, limit: 1_000_000_000, windowMs: 60_000 });
      rows.push(r);
      console.error(`${r.contender} × ${processes}: ${Math.round(r.perSecond)}/s`);
    }
  // Correctness under load: 4 processes against a binding quota; swarmgate reports the Redis
  // time of each admission's decision, so every window can be counted exactly.
  const audit = [];
  for (const prefetch of [0, 64]) {
    const limit = 5_000;
    const windowMs = 500;
    const r = await measure({
      contender: "swarmgate",
      ...o,
      processes: 4,
      limit,
      windowMs,
      extra: { prefetch },
      audit: true,
    });
    audit.push({
      prefetch,
      limit,
      windowMs,
      worst: worstWindow(r.decisions, windowMs),
      total: r.decisions.length,
    });
  }
  const lines = [
    "| limiter | processes | admissions/s | p50 latency (ms) | p99 latency (ms) |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.contender} | ${r.processes} | ${Math.round(r.perSecond).toLocaleString("en-US")} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
    ),
    "",
    "| binding quota (4 processes) | limit per window | most admitted in one window | admissions |",
    "|---|---:|---:|---:|",
    ...audit.map(
      (a) =>
        `| @swarmgate/redis, prefetch ${a.prefetch} | ${a.limit.toLocaleString("en-US")} / ${a.windowMs} ms | ${a.worst.toLocaleString("en-US")} | ${a.total.toLocaleString("en-US")} |`,
    ),
  ];
  console.log(lines.join("\n"));
  return { rows, audit };
}

// Fixed windows start at the first decision and follow each other every windowMs (no server
// correction in the benchmark): count the decisions in each.
function worstWindow(decisions, windowMs) {
  if (decisions.length === 0) return 0;
  decisions.sort((a, b) => a - b);
  const first = decisions[0];
  const counts = new Map();
  for (const d of decisions) {
    const i = Math.floor((d - first) / windowMs);
    counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  return Math.max(...counts.values());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await run({ argv: process.argv.slice(2) });
