// Limits nobody states: the same swarm (50 agents, each making a fixed number of sequential
// chat calls) through seven upstreams whose limits are, at best, half-documented, with five
// clients in the same run — swarmgate with the Hugging Face preset, swarmgate with a minimal
// config (a quota and a concurrency limit only), p-queue + p-retry (LangChain's AsyncCaller),
// bottleneck and cockatiel. Every row gets a fresh upstream. Calls completed and failed are
// counted at the client; requests sent and their statuses at the upstream (the simulator's
// `GET /__sim/stats`, or nginx's access log). Every upstream runs in its own process (the
// simulator's CLI, nginx), as a real one does: the swarm's event loop delays nothing it
// answers. Prints one markdown table per upstream on stdout and a JSON line per row on
// stderr. The targets are printed with PASS/FAIL per swarmgate row; the process never fails
// on them.
//
//   pnpm build && node bench/limits/run.mjs [--agents 50] [--calls 20] [--seed 7]
//     [--only-upstream leaky-bucket,outage] [--only-client "swarmgate preset"]
//     [--row-timeout 120]    (wall seconds per row; the calls left then count as failed)
//   node bench/run.mjs --only limits --agents 10 --calls 2      (quick mode)
//   LIMITS_TRACE=1 …        the swarmgate rows also print each retry, throttle wait, breaker
//                           move and learned rate on stderr, in ms since the row began
//   LIMITS_TRACE=requests …  also each request: when it went, when its answer came, its status
//
// The upstreams and where each behaviour comes from (the simulator runs at time ×60: a
// simulated minute lasts one wall second; its latencies are 1.2 simulated s + output tokens):
//   leaky-bucket   a real nginx (`apt-get install nginx-light`), `limit_req zone rate=20r/s
//                  burst=10 nodelay` keyed by the Authorization header, `limit_req_status 429`:
//                  nginx's leaky bucket answers 429 with no Retry-After and no rate headers
//                  (nginx docs, ngx_http_limit_req_module). In front of the simulator with no
//                  limits of its own (no spike detector, no cap, no window). nginx runs in
//                  real time: the bucket is 20 per wall second. Statuses come from its
//                  access log (`$status`).
//   burst-503      the simulator's spike detector (503 when a simulated second's arrivals
//                  exceed factor × the recent rate + floor; here floor 10, factor 2) plus its
//                  hidden concurrency cap (`maxConcurrent: 16`, 503 past it). No window, no
//                  headers: both are undocumented by Hugging Face ("sudden spikes are answered
//                  503", seed research), the numbers are ours.
//   openai-tpm     the simulator's partner-provider limit on `together` (`tokensPerWindow`,
//                  `requestsPerWindow`, per simulated minute, OpenAI-style
//                  `x-ratelimit-*-{requests,tokens}` headers and "Please try again in Xs." in
//                  the 429 body), calls pinned with `model:together`, prompts short or long
//                  and max_tokens 16, 96 or 256 (partners' docs: OpenAI-style TPM limits).
//   sliding-spike  the simulator's inference window in `rolling` mode (N per simulated minute,
//                  no RateLimit headers, no Retry-After), plus its spike detector and hidden
//                  concurrency cap as in burst-503.
//   cold-start     the simulator's hf-inference cold start in `loading` mode: the model
//                  (`Qwen/Qwen2.5-7B-Instruct`, called on hf-inference's own route
//                  /hf-inference/models/{id}/v1/chat/completions) loads for 20 simulated s, and
//                  until then answers the legacy 503 `{"error":"Model X is currently
//                  loading","estimated_time":N}` (N in simulated seconds; research notes).
//   outage         the simulator with no limits; once it has served a third of the calls,
//                  `POST /__sim/faults {"outage":true}` makes every inference request answer
//                  503 for 3 wall seconds (3 simulated minutes), then `{"outage":false}`.
//   fixed-window   a stated quota: the simulator's `quotas: { pro: { inference: N } }` in
//                  fixed 5-minute windows (5 wall s), N = ceil(calls / 3), with its RateLimit
//                  headers on inference answers (`inferenceRateLimitHeaders: true`, which HF
//                  does not document), spike detector at its defaults. The quota-bound
//                  minimum time is (ceil(calls / N) - 1) windows.
import { spawn } from "node:child_process";
import { setMaxListeners } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createGovernor, presets } from "@swarmgate/core";
import { DEFAULT_CATALOGUE, startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";
import Bottleneck from "bottleneck";
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
} from "cockatiel";
import PQueue from "p-queue";
import pRetry, { AbortError } from "p-retry";
import { leakyBucketConf, NGINX } from "./nginx.mjs";

const TIME_SCALE = 60;
const TOKEN = "hf_test_pro";
const ROUTER = "https://router.huggingface.co";
const CHAT = "/v1/chat/completions";
const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const LATENCY = { baseMs: 1_200, jitter: 0.2 };
const CAP = 16; // the hidden concurrency cap of burst-503 and sliding-spike
const TARGETS = [
  "swarmgate preset, every upstream: ≤ 2 % of requests answered 429/503, 0 failed calls;",
  "  fixed-window also wall ≤ 1.15 × the quota-bound minimum.",
  "swarmgate minimal config: 0 failed calls, ≤ 5 % of requests answered 429/503.",
];

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

class HttpError extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}
const retryable = (status) => status === 429 || status >= 500;
// Why a call failed, for the JSON lines: the last status, or the error's name and code.
const reasonOf = (error) =>
  error instanceof HttpError
    ? error.message
    : `${error?.constructor?.name ?? error?.name ?? "Error"}${error?.code ? ` ${error.code}` : ""}`;

// ---------------------------------------------------------------------------------------
// Calls

const shortBody = (model) => (agent, call) =>
  JSON.stringify({
    model,
    messages: [{ role: "user", content: `Agent ${agent}, step ${call}: plan the next move.` }],
    max_tokens: 32,
  });

// openai-tpm: every other agent sends a long prompt (~440 tokens), max_tokens cycles 16/96/256.
const LONG_CONTEXT = "Summarize this log line and flag anything unusual in it. ".repeat(30);
function variedBody(agent, call) {
  const long = agent % 2 === 1;
  const text = `Agent ${agent}, step ${call}: ${long ? LONG_CONTEXT : "plan the next move."}`;
  return JSON.stringify({
    model: `${LLAMA}:together`,
    messages: [{ role: "user", content: text }],
    max_tokens: [16, 96, 256][(agent + call) % 3],
  });
}

function post(fetchImpl, url, body, signal) {
  return fetchImpl(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body,
    signal,
  });
}

// ---------------------------------------------------------------------------------------
// Upstreams. `start(o)` resolves to { url, counts(), close(), during?(signal) }.

const SIM_CLI = fileURLToPath(new URL("../../packages/hf-simulator/dist/cli.js", import.meta.url));

// The simulator runs in its own process, as a real upstream does: the swarm's event loop
// delays nothing the upstream answers, and the upstream's work delays none of the swarm's.
async function startSim(options, o) {
  const dir = mkdtempSync(join(tmpdir(), "swarmgate-limits-sim-"));
  const config = join(dir, "sim.json");
  writeFileSync(
    config,
    JSON.stringify({ timeScale: TIME_SCALE, seed: o.seed, latency: LATENCY, ...options }),
  );
  const { child, stop } = spawnUpstream(process.execPath, [SIM_CLI, "--config", config], "pipe");
  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /listening on (\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`the simulator exited with ${code}`)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const admin = async (path, body) => {
    const response = await fetch(`${url}${path}`, body ? { method: "POST", body: JSON.stringify(body) } : {});
    return response.json();
  };
  return {
    url,
    port: Number(new URL(url).port),
    async counts() {
      const stats = await admin("/__sim/stats");
      const b = Object.values(stats.tokens).find((t) => t.tier === "pro")?.buckets.inference ?? {};
      return { requests: b.requests ?? 0, s429: b.rejected429 ?? 0, s503: b.rejected503 ?? 0 };
    },
    inject: (faults) => admin("/__sim/faults", faults),
    close: stop,
  };
}

// The same calls through a simulator without any limit and without latency, all agents at
// once: the tokens the calls use (usage.total_tokens) and, from the simulator's latency model
// (base × e^(σ²/2) + completion tokens × 1000 / the serving provider's tokens per second,
// docs/simulator.md "latency"), the mean latency of one call in wall ms, HTTP overhead left
// out. Computed rather than timed, so that the nominal times do not move between runs.
async function calibrate(upstream, o) {
  const sim = await startSimulator({
    timeScale: TIME_SCALE,
    seed: o.seed,
    latency: false,
    spike: false,
    coldStart: false,
  });
  const speed = new Map(
    DEFAULT_CATALOGUE.flatMap((m) => m.providers.map((p) => [p.provider, p.tokensPerSecond])),
  );
  const jitter = Math.exp(LATENCY.jitter ** 2 / 2);
  let latency = 0;
  let tokens = 0;
  await Promise.all(
    Array.from({ length: o.agents }, async (_, agent) => {
      for (let call = 0; call < o.calls; call++) {
        const response = await post(fetch, `${sim.url}${upstream.path ?? CHAT}`, upstream.body(agent, call));
        const json = await response.json();
        const perToken =
          1000 / (speed.get(response.headers.get("x-inference-provider")) ?? Number.POSITIVE_INFINITY);
        latency += (LATENCY.baseMs + (json.usage?.completion_tokens ?? 0) * perToken) * jitter;
        tokens += json.usage?.total_tokens ?? 0;
      }
    }),
  );
  await sim.close();
  return { latencyMs: latency / (o.agents * o.calls) / TIME_SCALE, tokens };
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitForPort(port, child, ms = 5_000) {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(20);
  }
  throw new Error(`nginx did not listen on ${port} within ${ms} ms`);
}

const NGINX_RATE = 20; // requests per wall second
const NGINX_BURST = 10;
// Upstream processes (nginx, the simulator) still running when the bench ends (an error,
// Ctrl-C) get SIGTERM: nginx's master then stops its worker too.
const liveChildren = new Set();

// Starts an upstream process, kept in `liveChildren` until `stop()` (SIGTERM, then its exit).
function spawnUpstream(command, args, stdout) {
  const child = spawn(command, args, { stdio: ["ignore", stdout, "inherit"] });
  liveChildren.add(child);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    liveChildren.delete(child);
  };
  return { child, stop };
}
process.once("exit", () => {
  for (const child of liveChildren) child.kill("SIGTERM");
});
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, () => {
    for (const child of liveChildren) child.kill("SIGTERM");
    process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  });

async function startNginx(o) {
  const sim = await startSim({ spike: false, coldStart: false }, o);
  const dir = mkdtempSync(join(tmpdir(), "swarmgate-limits-nginx-"));
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    leakyBucketConf({ dir, port, upstreamPort: sim.port, rate: NGINX_RATE, burst: NGINX_BURST }),
  );
  const { child, stop } = spawnUpstream(
    NGINX,
    ["-p", dir, "-e", join(dir, "error.log"), "-c", conf, "-g", "daemon off;"],
    "ignore",
  );
  try {
    await waitForPort(port, child);
  } catch (error) {
    await stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${error.message}; nginx error log:\n${readFileSync(join(dir, "error.log"), "utf8")}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async counts() {
      const statuses = readFileSync(join(dir, "access.log"), "utf8").split("\n").filter(Boolean).map(Number);
      return {
        requests: statuses.length,
        s429: statuses.filter((s) => s === 429).length,
        s503: statuses.filter((s) => s === 503).length,
      };
    },
    async close() {
      await stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SPIKE = { floor: 10, factor: 2, baselineSeconds: 5 };
const OUTAGE_MS = 3_000;
const COLD_MS = 20_000; // simulated
const PROVIDER = { requestsPerWindow: 120, tokensPerWindow: 12_000, windowMs: 60_000 };
const ROLLING = { limit: 40, windowMs: 60_000 }; // simulated

// Each upstream: what it is, how to start it, the calls it gets, its nominal time and what the
// clients that take a rate are told (`rate`: { limit, windowMs } in wall ms, or none).
const upstreams = {
  "leaky-bucket": {
    describe: `real nginx limit_req (leaky bucket ${NGINX_RATE} r/s, burst ${NGINX_BURST}, nodelay, 429 with no Retry-After and no rate headers) in front of the simulator`,
    counted: "nginx access log ($status)",
    body: shortBody(LLAMA),
    available: () => existsSync(NGINX),
    start: startNginx,
    rate: () => ({ limit: NGINX_RATE, windowMs: 1_000 }),
    nominal: (o, cal) => ({
      ms: Math.max(((total(o) - NGINX_BURST) / NGINX_RATE) * 1_000, o.calls * cal.latencyMs),
      says: `(calls - burst) / ${NGINX_RATE} r/s`,
    }),
  },
  "burst-503": {
    describe: `simulator spike detector (floor ${SPIKE.floor}/simulated s, factor ${SPIKE.factor}) + hidden concurrency cap ${CAP} (503), no window, no headers`,
    counted: "the simulator's GET /__sim/stats",
    body: shortBody(LLAMA),
    start: (o) => startSim({ spike: SPIKE, maxConcurrent: CAP, coldStart: false }, o),
    rate: () => undefined,
    nominal: (o, cal) => ({
      ms: Math.max((total(o) / CAP) * cal.latencyMs, o.calls * cal.latencyMs),
      says: `calls × mean latency / cap ${CAP}`,
    }),
  },
  "openai-tpm": {
    describe: `simulator partner limit on together: ${PROVIDER.tokensPerWindow} tokens and ${PROVIDER.requestsPerWindow} requests per simulated minute (1 wall s), OpenAI x-ratelimit headers, "try again in" body hint; varied prompts and max_tokens, model pinned :together`,
    counted: "the simulator's GET /__sim/stats",
    body: variedBody,
    start: (o) =>
      startSim(
        {
          spike: false,
          coldStart: false,
          providers: { together: { ...PROVIDER, headers: "openai", bodyHint: true } },
        },
        o,
      ),
    rate: () => ({ limit: PROVIDER.requestsPerWindow, windowMs: PROVIDER.windowMs / TIME_SCALE }),
    nominal: (o, cal) => {
      const windows = Math.max(cal.tokens / PROVIDER.tokensPerWindow, total(o) / PROVIDER.requestsPerWindow);
      return {
        ms: Math.max((Math.ceil(windows) - 1) * (PROVIDER.windowMs / TIME_SCALE), o.calls * cal.latencyMs),
        says: `(ceil(max(${cal.tokens} tokens / ${PROVIDER.tokensPerWindow}, ${total(o)} calls / ${PROVIDER.requestsPerWindow})) - 1) windows of ${PROVIDER.windowMs / TIME_SCALE} ms`,
      };
    },
  },
  "sliding-spike": {
    describe: `simulator rolling inference window ${ROLLING.limit} per simulated minute (1 wall s, no headers, no Retry-After) + spike detector (floor ${SPIKE.floor}, factor ${SPIKE.factor}) + hidden cap ${CAP}`,
    counted: "the simulator's GET /__sim/stats",
    body: shortBody(LLAMA),
    start: (o) =>
      startSim(
        {
          spike: SPIKE,
          maxConcurrent: CAP,
          coldStart: false,
          windowMode: "rolling",
          windowMs: ROLLING.windowMs,
          quotas: { pro: { inference: ROLLING.limit } },
        },
        o,
      ),
    rate: () => ({ limit: ROLLING.limit, windowMs: ROLLING.windowMs / TIME_SCALE }),
    nominal: (o, cal) => ({
      ms: Math.max(
        (Math.ceil(total(o) / ROLLING.limit) - 1) * (ROLLING.windowMs / TIME_SCALE),
        (total(o) / CAP) * cal.latencyMs,
        o.calls * cal.latencyMs,
      ),
      says: `(ceil(calls / ${ROLLING.limit}) - 1) windows of ${ROLLING.windowMs / TIME_SCALE} ms`,
    }),
  },
  "cold-start": {
    describe: `simulator hf-inference cold start, loading mode: 503 "Model X is currently loading" with estimated_time for ${COLD_MS / 1000} simulated s`,
    counted: "the simulator's GET /__sim/stats",
    // hf-inference's own chat route (what InferenceClient calls for provider hf-inference):
    // the router's /v1/chat/completions wraps the same 503 in an OpenAI-style error instead.
    path: "/hf-inference/models/Qwen/Qwen2.5-7B-Instruct/v1/chat/completions",
    body: shortBody("Qwen/Qwen2.5-7B-Instruct"),
    start: (o) =>
      startSim({ spike: false, coldStart: { mode: "loading", durationMs: COLD_MS, idleMs: 900_000 } }, o),
    rate: () => undefined,
    nominal: (o, cal) => ({
      ms: COLD_MS / TIME_SCALE + o.calls * cal.latencyMs,
      says: "load time + calls per agent × mean latency (no rate)",
    }),
  },
  outage: {
    describe: `simulator with no limits; 503 on every inference request for ${OUTAGE_MS / 1000} wall s once a third of the calls were served`,
    counted: "the simulator's GET /__sim/stats",
    body: shortBody(LLAMA),
    async start(o) {
      const up = await startSim({ spike: false, coldStart: false }, o);
      up.during = async (signal) => {
        for (;;) {
          const c = await up.counts();
          if (signal.aborted) return;
          if (c.requests - c.s503 >= total(o) / 3) break;
          await sleep(5, signal);
        }
        await up.inject({ outage: true });
        await sleep(OUTAGE_MS, signal);
        await up.inject({ outage: false });
      };
      return up;
    },
    rate: () => undefined,
    nominal: (o, cal) => ({
      ms: OUTAGE_MS + o.calls * cal.latencyMs,
      says: "outage + calls per agent × mean latency (no rate)",
    }),
  },
  "fixed-window": {
    describe:
      "simulator inference quota N per fixed 5-minute window (5 wall s), RateLimit headers named inference, spike detector at its defaults",
    counted: "the simulator's GET /__sim/stats",
    body: shortBody(LLAMA),
    quota: (o) => Math.ceil(total(o) / 3),
    start: (o) =>
      startSim(
        {
          coldStart: false,
          inferenceRateLimitHeaders: true,
          quotas: { pro: { inference: upstreams["fixed-window"].quota(o) } },
        },
        o,
      ),
    rate: (o) => ({ limit: upstreams["fixed-window"].quota(o), windowMs: 300_000 / TIME_SCALE }),
    nominal: (o, cal) => {
      const n = upstreams["fixed-window"].quota(o);
      const minimum = (Math.ceil(total(o) / n) - 1) * (300_000 / TIME_SCALE);
      return {
        ms: Math.max(minimum, o.calls * cal.latencyMs),
        quotaBoundMs: minimum,
        says: `quota-bound minimum (ceil(${total(o)} / ${n}) - 1) × 5 s = ${minimum / 1000} s`,
      };
    },
  },
};

const total = (o) => o.agents * o.calls;

// ---------------------------------------------------------------------------------------
// Clients. Each runs the swarm with `callOnce(agent, call) → boolean` and cleans up after.

async function swarm(o, state, callOnce) {
  await Promise.all(
    Array.from({ length: o.agents }, async (_, agent) => {
      for (let call = 0; call < o.calls; call++) {
        if (state.signal.aborted) return;
        const outcome = await callOnce(agent, call);
        if (outcome === true) state.completed++;
        else {
          state.failed++;
          const reason = typeof outcome === "string" ? outcome : "failed";
          state.reasons[reason] = (state.reasons[reason] ?? 0) + 1;
        }
      }
    }),
  );
}

const pathOf = (up) => up.path ?? CHAT;

async function governed(governor, url, up, o, state) {
  const t0 = performance.now();
  const at = () => (performance.now() - t0).toFixed(0).padStart(5);
  // LIMITS_TRACE=requests: also each request as it goes and its status as it comes back.
  const traced = async (input, init) => {
    const sent = at();
    const response = await fetch(input, init);
    console.error(sent, "request", at().trim(), response.status);
    return response;
  };
  const send = governedFetch(governor, {
    baseUrl: url,
    ...(process.env.LIMITS_TRACE === "requests" ? { fetch: traced } : {}),
  });
  if (process.env.LIMITS_TRACE) {
    governor.on("retry", (e) => console.error(at(), "retry", e.reason, e.attempt, Math.round(e.delayMs)));
    governor.on("breaker", (e) => console.error(at(), "breaker", e.key, e.state));
    governor.on("throttle", (e) => console.error(at(), "throttle", e.source, Math.round(e.waitMs)));
    governor.on("upstreamRate", (e) => console.error(at(), "rate", e.key, e.ratePerSecond.toFixed(1)));
  }
  try {
    await swarm(o, state, async (agent, call) => {
      try {
        const response = await post(send, `${ROUTER}${pathOf(up)}`, up.body(agent, call), state.signal);
        await response.arrayBuffer();
        return response.ok || `HTTP ${response.status}`;
      } catch (error) {
        return reasonOf(error); // a refusal of the governor (deadline, breaker, queue) or an abort
      }
    });
  } finally {
    await governor.close();
  }
}

const clients = {
  "swarmgate preset": {
    told: (up, o) =>
      up === upstreams["fixed-window"] ? `preset, told ${up.quota(o)} per 5 min (fixed)` : "preset only",
    async run(url, up, o, state) {
      const preset = presets.huggingface({ tier: "pro", timeScale: TIME_SCALE });
      let quotas = preset.quotas;
      if (up === upstreams["fixed-window"]) {
        // Told the stated quota, keeping the preset's smoothing (presets.ts `fixedWindow`).
        const limit = up.quota(o);
        quotas = {
          ...preset.quotas,
          inference: [
            {
              name: "5m",
              limit,
              windowMs: 300_000 / TIME_SCALE,
              kind: "fixed",
              smoothing: { burst: Math.max(1, Math.ceil(limit / 100)) },
            },
          ],
        };
      }
      await governed(createGovernor({ name: "limits", ...preset, quotas }), url, up, o, state);
    },
  },
  "swarmgate minimal": {
    // A quota and a concurrency limit only. Told the upstream's nominal rate when it has one;
    // otherwise the preset's PRO guess (1,500 per 5 simulated minutes). `headerTimeScale` is
    // the environment, not a policy: the simulator speaks in seconds 60 times shorter.
    told: (up, o) => {
      const r = minimalRate(up, o);
      return `${r.limit} per ${r.windowMs} ms, concurrency 16, headerTimeScale ${TIME_SCALE}`;
    },
    async run(url, up, o, state) {
      const r = minimalRate(up, o);
      const governor = createGovernor({
        name: "limits-minimal",
        quotas: { inference: [{ limit: r.limit, windowMs: r.windowMs }] },
        concurrency: { max: 16 },
        headerTimeScale: TIME_SCALE,
      });
      await governed(governor, url, up, o, state);
    },
  },
  "p-queue + p-retry": {
    told: () => "nothing (AsyncCaller defaults)",
    async run(url, up, o, state) {
      // LangChain's AsyncCaller: p-queue (maxConcurrency Infinity by default) around p-retry
      // (6 retries, exponential from 1 s, factor 2, randomized), time-scaled.
      const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY });
      await swarm(o, state, (agent, call) =>
        queue.add(() =>
          pRetry(
            async () => {
              const response = await post(fetch, `${url}${pathOf(up)}`, up.body(agent, call), state.signal);
              await response.arrayBuffer();
              if (response.ok) return true;
              if (retryable(response.status)) throw new HttpError(response.status);
              throw new AbortError(`HTTP ${response.status}`);
            },
            { retries: 6, minTimeout: 1000 / TIME_SCALE, factor: 2, randomize: true, signal: state.signal },
          ).catch(reasonOf),
        ),
      );
      queue.clear();
    },
  },
  bottleneck: {
    told: (up, o) => {
      const r = up.rate(o);
      return r
        ? `reservoir ${r.limit} per ${r.windowMs} ms, maxConcurrent 16`
        : "maxConcurrent 16 (no rate to tell)";
    },
    async run(url, up, o, state) {
      // Told the nominal rate as a reservoir refilled every window (the usual bottleneck
      // recipe for "N per period"), and bottleneck's own retry: the `failed` event returns a
      // delay, exponential from 1 s (scaled), five retries; each retry queues again.
      const r = up.rate(o);
      const limiter = new Bottleneck({
        maxConcurrent: 16,
        ...(r
          ? { reservoir: r.limit, reservoirRefreshAmount: r.limit, reservoirRefreshInterval: r.windowMs }
          : {}),
      });
      limiter.on("failed", (error, job) => {
        if (state.signal.aborted) return undefined;
        if (error instanceof HttpError && retryable(error.status) && job.retryCount < 5)
          return (2 ** job.retryCount * 1000) / TIME_SCALE;
        return undefined;
      });
      try {
        await swarm(o, state, (agent, call) =>
          limiter
            .schedule(async () => {
              const response = await post(fetch, `${url}${pathOf(up)}`, up.body(agent, call), state.signal);
              await response.arrayBuffer();
              if (!response.ok) throw new HttpError(response.status);
              return true;
            })
            .catch(reasonOf),
        );
      } finally {
        await limiter.stop({ dropWaitingJobs: true });
      }
    },
  },
  cockatiel: {
    told: () => "nothing (retry + breaker)",
    async run(url, up, o, state) {
      // The README's recipe: retry with exponential backoff wrapped around a circuit breaker,
      // both handling 429 and 5xx; one policy shared by the swarm. Times scaled.
      // The retry also handles the breaker's BrokenCircuitError, as the README's `handleAll`
      // recipe does: an open breaker is waited out with backoff, not turned into a failure.
      const handled = handleWhen((error) => error instanceof HttpError && retryable(error.status));
      const retryPolicy = retry(handled.orType(BrokenCircuitError), {
        maxAttempts: 5,
        backoff: new ExponentialBackoff({ initialDelay: 1000 / TIME_SCALE, maxDelay: 30_000 / TIME_SCALE }),
      });
      const breakerPolicy = circuitBreaker(handled, {
        halfOpenAfter: 10_000 / TIME_SCALE,
        breaker: new ConsecutiveBreaker(5),
      });
      const policy = wrap(retryPolicy, breakerPolicy);
      await swarm(o, state, (agent, call) =>
        policy
          .execute(async ({ signal }) => {
            const response = await post(fetch, `${url}${pathOf(up)}`, up.body(agent, call), signal);
            await response.arrayBuffer();
            if (!response.ok) throw new HttpError(response.status);
            return true;
          }, state.signal)
          .catch(reasonOf),
      );
    },
  },
};

function minimalRate(up, o) {
  return up.rate(o) ?? { limit: 1_500, windowMs: 300_000 / TIME_SCALE };
}

// ---------------------------------------------------------------------------------------
// Rows

async function runRow(upName, up, clientName, client, o, cal) {
  const started = performance.now();
  const server = await up.start(o);
  const controller = new AbortController();
  setMaxListeners(Number.POSITIVE_INFINITY, controller.signal);
  const state = { completed: 0, failed: 0, reasons: {}, signal: controller.signal };
  let timedOut = false;
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve();
    }, o.rowTimeoutMs);
  });
  const t0 = performance.now();
  const during = server.during?.(controller.signal);
  const work = client.run(server.url, up, o, state).catch((error) => {
    console.error(`  ${upName} / ${clientName}: client threw ${error?.stack ?? error}`);
  });
  await Promise.race([work, timeout]);
  const wallMs = performance.now() - t0;
  clearTimeout(timer);
  const completed = state.completed;
  controller.abort();
  await during;
  await Promise.race([work, sleep(5_000)]);
  const counts = await server.counts();
  await server.close();
  const nominal = up.nominal(o, cal);
  const failed = total(o) - completed;
  const row = {
    upstream: upName,
    client: clientName,
    told: client.told(up, o),
    completed,
    failed,
    timedOut,
    requests: counts.requests,
    share429: counts.s429 / Math.max(1, counts.requests),
    share503: counts.s503 / Math.max(1, counts.requests),
    wallSeconds: wallMs / 1000,
    nominalSeconds: nominal.ms / 1000,
    wallOverNominal: nominal.ms > 0 ? wallMs / nominal.ms : null,
    quotaBoundSeconds: nominal.quotaBoundMs === undefined ? undefined : nominal.quotaBoundMs / 1000,
    wallOverQuotaBound: nominal.quotaBoundMs > 0 ? wallMs / nominal.quotaBoundMs : undefined,
    setupSeconds: (t0 - started) / 1000,
    failureReasons: { ...state.reasons },
  };
  row.verdict = verdict(row);
  console.error(JSON.stringify(row));
  return row;
}

function verdict(row) {
  const refused = row.share429 + row.share503;
  const misses = [];
  if (row.client === "swarmgate preset") {
    if (row.failed > 0) misses.push(`${row.failed} failed`);
    if (refused > 0.02) misses.push(`${(refused * 100).toFixed(1)} % 429/503 > 2 %`);
    if (row.quotaBoundSeconds !== undefined) {
      if (row.wallOverQuotaBound === undefined) misses.push("no quota-bound minimum (one window)");
      else if (row.wallOverQuotaBound > 1.15)
        misses.push(`wall ${row.wallOverQuotaBound.toFixed(2)} × minimum > 1.15`);
    }
  } else if (row.client === "swarmgate minimal") {
    if (row.failed > 0) misses.push(`${row.failed} failed`);
    if (refused > 0.05) misses.push(`${(refused * 100).toFixed(1)} % 429/503 > 5 %`);
  } else return "";
  if (row.timedOut) misses.push("timed out");
  return misses.length === 0 ? "PASS" : `FAIL (${misses.join(", ")})`;
}

function table(upName, up, rows, o, cal) {
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  const nominal = up.nominal(o, cal);
  const fixed = nominal.quotaBoundMs !== undefined;
  return [
    `### ${upName}: ${up.describe}`,
    "",
    `Measured: swarmgate rows: governedFetch through the governor (what the user calls); other rows: the library's wrapper around fetch, as its users write it. Calls completed / failed are counted at the client, requests and statuses at the upstream (${up.counted}). ${total(o)} calls (${o.agents} agents × ${o.calls} sequential calls). Nominal time: ${(nominal.ms / 1000).toFixed(2)} s = ${nominal.says}; mean call latency ${cal.latencyMs.toFixed(1)} ms wall (the simulator's latency model, no HTTP overhead).`,
    "",
    `| client | told | calls completed | calls failed | requests sent | 429 share | 503 share | wall time | ${fixed ? "wall / quota-bound minimum" : "wall / nominal"} | target |`,
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map((r) => {
      const ratio = fixed ? r.wallOverQuotaBound : r.wallOverNominal;
      return `| ${r.client} | ${r.told} | ${r.completed} | ${r.failed}${r.timedOut ? " (timed out)" : ""} | ${r.requests} | ${pct(r.share429)} | ${pct(r.share503)} | ${r.wallSeconds.toFixed(2)} s | ${ratio == null ? "—" : `${ratio.toFixed(2)} ×`} | ${r.verdict} |`;
    }),
    "",
  ].join("\n");
}

function pick(list, raw, what) {
  if (raw === undefined) return list;
  const wanted = String(raw)
    .split(",")
    .map((s) => s.trim());
  const unknown = wanted.filter((w) => !list.includes(w));
  if (unknown.length > 0)
    throw new TypeError(`Expected ${what} among ${list.join(", ")}, got ${unknown.join(", ")}`);
  return list.filter((name) => wanted.includes(name));
}

export async function run({ argv = [] } = {}) {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: "string", default: "50" },
      calls: { type: "string", default: "20" },
      seed: { type: "string", default: "7" },
      "row-timeout": { type: "string", default: "120" },
      "only-upstream": { type: "string" },
      "only-client": { type: "string" },
    },
    strict: false,
  });
  const o = {
    agents: Number(values.agents),
    calls: Number(values.calls),
    seed: Number(values.seed),
    rowTimeoutMs: Number(values["row-timeout"]) * 1000,
  };
  for (const [name, v] of Object.entries({ agents: o.agents, calls: o.calls, "row-timeout": o.rowTimeoutMs }))
    if (!Number.isFinite(v) || v <= 0) throw new TypeError(`Expected \`--${name}\` to be a positive number`);
  const upNames = pick(Object.keys(upstreams), values["only-upstream"], "`--only-upstream`");
  const clientNames = pick(Object.keys(clients), values["only-client"], "`--only-client`");
  const suiteStart = performance.now();
  console.log(
    `limits nobody states: ${o.agents} agents × ${o.calls} sequential chat calls per upstream and client, simulator time ×${TIME_SCALE} (seed ${o.seed}), row timeout ${o.rowTimeoutMs / 1000} s\n`,
  );
  console.log(`Targets (printed, not enforced):\n${TARGETS.map((t) => `- ${t}`).join("\n")}\n`);
  const all = [];
  for (const upName of upNames) {
    const up = upstreams[upName];
    if (up.available && !up.available()) {
      console.log(
        `### ${upName}: skipped — ${NGINX} is missing; install it with \`apt-get install nginx-light\`\n`,
      );
      continue;
    }
    const cal = await calibrate(up, o);
    const rows = [];
    try {
      for (const clientName of clientNames)
        rows.push(await runRow(upName, up, clientName, clients[clientName], o, cal));
    } catch (error) {
      console.log(`### ${upName}: skipped — could not start or measure it: ${error.message}\n`);
      continue;
    }
    console.log(table(upName, up, rows, o, cal));
    all.push(...rows);
  }
  const judged = all.filter((r) => r.verdict !== "");
  console.log(
    `Targets: ${judged.filter((r) => r.verdict === "PASS").length} of ${judged.length} swarmgate rows pass\n${judged.map((r) => `- ${r.upstream} / ${r.client}: ${r.verdict}`).join("\n")}\n`,
  );
  console.log(`suite wall time: ${((performance.now() - suiteStart) / 1000).toFixed(1)} s`);
  return all;
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ argv: process.argv.slice(2) });
