// Goodput: the same swarm against the same simulated quota through four clients, in one
// run — swarmgate, an ungoverned client with the seed's exponential backoff, p-queue +
// p-retry (LangChain's AsyncCaller approach) and bottleneck with a reservoir per window.
// Reports, per client, calls completed and lost, requests sent, the 429/503 share of
// requests and how much of the quota became answers.
//
//   pnpm build && node bench/goodput/run.mjs [--agents 50] [--calls 6] [--quota 100]
//   node bench/run.mjs --only goodput
import { parseArgs } from "node:util";
import { createGovernor, presets } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";
import Bottleneck from "bottleneck";
import PQueue from "p-queue";
import pRetry, { AbortError } from "p-retry";

const TIME_SCALE = 60; // a 5-minute window lasts 5 s
const WINDOW_MS = 300_000 / TIME_SCALE;
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const TOKEN = "hf_test_pro";
const ROUTER = "https://router.huggingface.co/v1/chat/completions";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function body(agent, call) {
  return JSON.stringify({
    model: MODEL,
    messages: [{ role: "user", content: `Agent ${agent}, step ${call}: plan the next move.` }],
    max_tokens: 32,
  });
}

function post(fetchImpl, url, agent, call) {
  return fetchImpl(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body(agent, call),
  });
}

class HttpError extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

// The seed's loop: 1, 2, 4, 8, 16 s (scaled) on 429/503, five attempts.
async function seedBackoff(send) {
  for (let i = 0; i < 5; i++) {
    const response = await send();
    await response.arrayBuffer();
    if (response.ok) return true;
    if (response.status !== 429 && response.status !== 503) return false;
    if (i < 4) await sleep((2 ** i * 1000) / TIME_SCALE);
  }
  return false;
}

const clients = {
  async swarmgate(url, o) {
    // The tier preset (1,500 per window): the RateLimit headers correct it to the real quota.
    const governor = createGovernor({
      name: "goodput",
      ...presets.huggingface({ tier: "pro", timeScale: TIME_SCALE }),
    });
    const send = governedFetch(governor, { baseUrl: url });
    const ok = await swarm(o, async (agent, call) => {
      try {
        const response = await post(send, ROUTER, agent, call);
        await response.arrayBuffer();
        return response.ok;
      } catch {
        return false; // a refusal of the governor (deadline, breaker)
      }
    });
    await governor.close();
    return ok;
  },
  async "ungoverned + seed backoff"(url, o) {
    return swarm(o, (agent, call) =>
      seedBackoff(() => post(fetch, `${url}/v1/chat/completions`, agent, call)),
    );
  },
  async "p-queue + p-retry"(url, o) {
    // LangChain's AsyncCaller: p-queue (maxConcurrency Infinity by default) around p-retry
    // (6 retries, exponential from 1 s, factor 2, randomized), time-scaled.
    const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY });
    return swarm(o, (agent, call) =>
      queue.add(() =>
        pRetry(
          async () => {
            const response = await post(fetch, `${url}/v1/chat/completions`, agent, call);
            await response.arrayBuffer();
            if (response.ok) return true;
            if (response.status === 429 || response.status >= 500) throw new HttpError(response.status);
            throw new AbortError(`HTTP ${response.status}`);
          },
          { retries: 6, minTimeout: 1000 / TIME_SCALE, factor: 2, randomize: true },
        ).catch(() => false),
      ),
    );
  },
  async "bottleneck (reservoir)"(url, o) {
    // Told the real quota (the best case for it): a reservoir refilled every window, the
    // seed's backoff for what still fails; every retry goes through the reservoir again.
    const limiter = new Bottleneck({
      reservoir: o.quota,
      reservoirRefreshAmount: o.quota,
      reservoirRefreshInterval: WINDOW_MS,
      maxConcurrent: o.agents,
    });
    const ok = await swarm(o, (agent, call) =>
      seedBackoff(() => limiter.schedule(() => post(fetch, `${url}/v1/chat/completions`, agent, call))),
    );
    await limiter.stop({ dropWaitingJobs: true });
    return ok;
  },
};

async function swarm(o, callOnce) {
  let completed = 0;
  await Promise.all(
    Array.from({ length: o.agents }, async (_, agent) => {
      for (let call = 0; call < o.calls; call++) if (await callOnce(agent, call)) completed++;
    }),
  );
  return completed;
}

export async function run({ argv = [] } = {}) {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: "string", default: "50" },
      calls: { type: "string", default: "6" },
      quota: { type: "string", default: "100" },
      seed: { type: "string", default: "7" },
    },
    strict: false,
  });
  const o = {
    agents: Number(values.agents),
    calls: Number(values.calls),
    quota: Number(values.quota),
    seed: Number(values.seed),
  };
  console.error(
    `goodput: ${o.agents} agents × ${o.calls} calls, PRO token with ${o.quota} inference requests per 5-minute window, time ×${TIME_SCALE}`,
  );
  const rows = [];
  for (const [name, client] of Object.entries(clients)) {
    const sim = await startSimulator({
      timeScale: TIME_SCALE,
      seed: o.seed,
      coldStart: false,
      quotas: { pro: { inference: o.quota } },
      latency: { baseMs: 300, jitter: 0.2 },
      // Invented behaviours the published measurements were taken with, turned on so that
      // they still compare: the governor learns the inference quota from RateLimit headers
      // named "inference", 429s carry Retry-After, and the hidden concurrency cap is on.
      inferenceRateLimitHeaders: true,
      retryAfter: true,
      maxConcurrent: true,
    });
    const started = performance.now();
    const completed = await client(sim.url, o);
    const wallMs = performance.now() - started;
    const stats = sim.stats();
    const b = Object.values(stats.tokens).find((t) => t.tier === "pro")?.buckets.inference ?? {};
    await sim.close();
    const windows = Math.ceil(wallMs / WINDOW_MS);
    const row = {
      client: name,
      completed,
      lost: o.agents * o.calls - completed,
      requests: b.requests ?? 0,
      share429: (b.rejected429 ?? 0) / Math.max(1, b.requests ?? 0),
      share503: (b.rejected503 ?? 0) / Math.max(1, b.requests ?? 0),
      admitted: b.admitted ?? 0,
      quotaUsed: (b.admitted ?? 0) / (o.quota * windows),
      windows,
      wallSeconds: wallMs / 1000,
      overQuota: stats.overQuota,
    };
    rows.push(row);
    console.error(`  ${name}: ${JSON.stringify(row)}`);
  }
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    "| client | calls completed | calls lost | requests sent | 429 share | 503 share | quota used (admitted / quota × windows) | wall time | window over quota |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.client} | ${r.completed} | ${r.lost} | ${r.requests} | ${pct(r.share429)} | ${pct(r.share503)} | ${pct(r.quotaUsed)} (${r.admitted} / ${o.quota} × ${r.windows}) | ${r.wallSeconds.toFixed(1)} s | ${r.overQuota ? "yes" : "no"} |`,
    ),
  ];
  console.log(lines.join("\n"));
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ argv: process.argv.slice(2) });
