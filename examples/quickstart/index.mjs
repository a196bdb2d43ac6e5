// The quick-start demo: one swarm of agents against a simulated Hugging Face (5-minute
// windows compressed into 5 seconds), first ungoverned with the usual exponential backoff,
// then through a swarmgate governor that starts with the wrong quota and learns the real
// one from the RateLimit headers.
import { createGovernor, presets, UpstreamError } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";

const TIME_SCALE = 60; // 5 simulated minutes = 5 s
const AGENTS = 50;
const CALLS_PER_AGENT = 6;
const QUOTA = 100; // inference requests per 5-minute window on this simulated token
const TOKEN = "hf_test_pro";
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

async function chat(url, signal) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: "user", content: "Plan the next step." }],
      max_tokens: 32,
    }),
    signal,
  });
  return response;
}

async function ungoverned(url) {
  // The seed research's retry loop: 1 s, 2 s, 4 s, 8 s, 16 s (compressed), on 429 and 503.
  let failed = 0;
  const agent = async () => {
    for (let c = 0; c < CALLS_PER_AGENT; c++) {
      let done = false;
      for (let i = 0; i < 5 && !done; i++) {
        const response = await chat(url);
        await response.arrayBuffer();
        if (response.ok) done = true;
        else if (response.status === 429 || response.status === 503)
          await new Promise((r) => setTimeout(r, (2 ** i * 1000) / TIME_SCALE));
        else break;
      }
      if (!done) failed++;
    }
  };
  await Promise.all(Array.from({ length: AGENTS }, agent));
  return { failed };
}

async function governed(url) {
  const governor = createGovernor({
    name: "quickstart",
    ...presets.huggingface({ tier: "pro", timeScale: TIME_SCALE }),
  });
  let failed = 0;
  const agent = async (id) => {
    for (let c = 0; c < CALLS_PER_AGENT; c++) {
      await governor
        .run(
          async ({ signal, observe, reportUsage }) => {
            const response = await chat(url, signal);
            observe(response);
            if (!response.ok) throw new UpstreamError(`HTTP ${response.status}`, response.status);
            const body = await response.json();
            reportUsage({
              inputTokens: body.usage?.prompt_tokens,
              outputTokens: body.usage?.completion_tokens,
            });
            return body;
          },
          { operation: "chat", model: MODEL, attributes: { "swarmgate.agent.id": `agent-${id}` } },
        )
        .catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: AGENTS }, (_, id) => agent(id)));
  const stats = governor.stats();
  await governor.close();
  return { failed, stats };
}

function row(label, sim, failed, seconds) {
  const b = Object.values(sim.tokens).find((t) => t.tier === "pro")?.buckets.inference ?? {};
  return `| ${label} | ${b.admitted ?? 0} | ${b.rejected429 ?? 0} | ${b.rejected503 ?? 0} | ${failed} | ${seconds.toFixed(1)} s | ${sim.overQuota ? "yes" : "no"} |`;
}

// The inference window and its "inference" RateLimit headers are invented behaviours
// (Hugging Face documents headers for api/resolvers/pages only), turned on for this demo.
const simOptions = {
  timeScale: TIME_SCALE,
  seed: 7,
  quotas: { pro: { inference: QUOTA } },
  inferenceRateLimitHeaders: true,
  latency: { baseMs: 300, jitter: 0.2 },
};
const lines = [
  `${AGENTS} agents × ${CALLS_PER_AGENT} calls against a simulated PRO token with ${QUOTA} inference requests per 5-minute window (time ×${TIME_SCALE}).`,
  "",
  "| client | admitted | 429 | 503 | calls lost | wall time | window over quota |",
  "|---|---|---|---|---|---|---|",
];
for (const [label, run] of [
  ["ungoverned + exponential backoff", ungoverned],
  ["swarmgate governor", governed],
]) {
  const sim = await startSimulator(simOptions);
  const started = performance.now();
  const result = await run(sim.url);
  lines.push(row(label, sim.stats(), result.failed, (performance.now() - started) / 1000));
  if (result.stats) {
    const s = result.stats;
    lines.push(
      "",
      `governor: ${s.attempts} attempts, retries ${JSON.stringify(s.retries)}, throttles ${JSON.stringify(s.throttles)},`,
      `latency p50 ${s.latencyMs.p50.toFixed(0)} ms, p95 ${s.latencyMs.p95.toFixed(0)} ms, p99 ${s.latencyMs.p99.toFixed(0)} ms (waits for the window included)`,
    );
  }
  await sim.close();
}
console.log(lines.join("\n"));
