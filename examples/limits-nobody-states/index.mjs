// Limits nobody states: a swarm with a minimal configuration (a quota and a concurrency
// limit, nothing else) calls a partner provider that throttles with bare 429s (no header,
// no hint, as some do behind the router) and a model that answers "is currently loading"
// for its first 20 seconds, then goes through a 3-second outage (every request a 503). The
// simulator runs in-process 60× faster than the wall clock.
//
//   pnpm build && node examples/limits-nobody-states/index.mjs
import { createGovernor } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";

const TIME_SCALE = 60;
const AGENTS = 30;
const STEPS = 4;
const ROUTER = "https://router.huggingface.co";

const sim = await startSimulator({
  timeScale: TIME_SCALE,
  seed: 11,
  spike: false,
  latency: { baseMs: 300, jitter: 0.2 },
  // together: 90 requests per simulated minute from everyone, refused with a bare 429.
  providers: { together: { requestsPerWindow: 90, windowMs: 60_000, headers: "none" } },
  // hf-inference's legacy cold start: `503 {"error":"Model … is currently loading","estimated_time":20}`.
  coldStart: { mode: "loading", durationMs: 20_000 },
});

const governor = createGovernor({
  name: "limits-example",
  quotas: { inference: [{ limit: 1_000, windowMs: 300_000 / TIME_SCALE }] },
  concurrency: { max: 16 },
  // The simulator's seconds are 60 times shorter: its `estimated_time` is too.
  headerTimeScale: TIME_SCALE,
});
governor.on("upstreamRate", ({ key, ratePerSecond }) =>
  console.log(`  ${key} refused without a word: pace cut to ${ratePerSecond.toFixed(1)} requests/s`),
);
const send = governedFetch(governor, { baseUrl: sim.url });
const post = (path, body) =>
  send(`${ROUTER}${path}`, {
    method: "POST",
    headers: { authorization: "Bearer hf_test_pro", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function swarm(label, path, model) {
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: AGENTS }, async (_, agent) => {
      const seen = [];
      for (let step = 0; step < STEPS; step++) {
        const response = await post(path, {
          model,
          messages: [{ role: "user", content: `agent ${agent}, step ${step}` }],
          max_tokens: 16,
        });
        await response.arrayBuffer();
        seen.push(response.status);
      }
      return seen;
    }),
  ).then((all) => all.flat());
  const ok = statuses.filter((s) => s === 200).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${label}: ${ok} of ${statuses.length} calls answered in ${seconds} s`);
}

console.log("a provider that throttles with bare 429s");
await swarm("together", "/v1/chat/completions", "meta-llama/Llama-3.1-8B-Instruct:together");
console.log("a model that is still loading");
await swarm(
  "hf-inference",
  "/hf-inference/models/Qwen/Qwen2.5-7B-Instruct/v1/chat/completions",
  "Qwen/Qwen2.5-7B-Instruct",
);

// Down for 3 wall seconds once a third of these calls were answered: the calls wait for it.
const inference = () => Object.values(sim.stats().tokens)[0]?.buckets.inference ?? {};
const before = inference();
const outage = (async () => {
  while ((inference().requests ?? 0) - (before.requests ?? 0) < (AGENTS * STEPS) / 3)
    await new Promise((resolve) => setTimeout(resolve, 5));
  sim.inject({ outage: true });
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  sim.inject({ outage: false });
})();
console.log("a provider that goes down for a while");
await swarm(
  "outage",
  "/hf-inference/models/Qwen/Qwen2.5-7B-Instruct/v1/chat/completions",
  "Qwen/Qwen2.5-7B-Instruct",
);
await outage;
const refused = (inference().rejected503 ?? 0) - (before.rejected503 ?? 0);
console.log(`the simulator answered ${refused} requests 503 while it was down`);

const snapshot = await governor.snapshot();
const sent = sim.stats();
const rate = snapshot.upstreams.together?.ratePerSecond;
console.log(`learned: together at ${rate === undefined ? "no" : rate.toFixed(1)} requests/s`);
console.log(`breakers: ${JSON.stringify(governor.stats().breakers)}`);
console.log(`retries: ${JSON.stringify(governor.stats().retries)}`);
console.log(`the simulator refused ${sent.providers.together?.rejected429 ?? 0} requests with a 429`);
await governor.close();
await sim.close();
