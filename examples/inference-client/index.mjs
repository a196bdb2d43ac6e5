// A swarm of agents through GovernedInferenceClient — the real @huggingface/inference
// client with one line changed — against a simulated Hugging Face whose 5-minute windows
// last 5 seconds. The governor starts with a wrong quota and learns the real one from the
// RateLimit headers; some agents stream and stop reading halfway.
//
//   pnpm build && node examples/inference-client/index.mjs
import { setLogger } from "@huggingface/inference";
import { createGovernor, isSwarmgateError } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { GovernedInferenceClient } from "@swarmgate/huggingface";

const TIME_SCALE = 60; // 5 simulated minutes = 5 s of wall time
const WINDOW_MS = 300_000 / TIME_SCALE;
const AGENTS = 50;
const STEPS = 4;
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

// The client logs its provider choice on every auto-routed call.
setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });

// The governor learns the quota from RateLimit headers on inference answers: an invented
// behaviour (Hugging Face documents them for api/resolvers/pages only), turned on here.
const sim = await startSimulator({
  timeScale: TIME_SCALE,
  seed: 7,
  quotas: { pro: { inference: 120 } },
  inferenceRateLimitHeaders: true,
});
const governor = createGovernor({
  name: "example-swarm",
  // Deliberately wrong: the simulator allows 120 per window. The headers correct it.
  quotas: { inference: [{ limit: 1_000, windowMs: WINDOW_MS, smoothing: { burst: 12 } }] },
  concurrency: { initial: 5, max: AGENTS, rampMs: 2_000, adaptive: { decrease: 0.7, min: 1 } },
  retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 2_000 },
  breaker: {
    errorThresholdPercentage: 50,
    volumeThreshold: 10,
    resetTimeoutMs: 1_000,
    rollingWindowMs: 2_000,
  },
  budget: { monthlyUsd: 2 },
  totalTimeoutMs: 60_000,
  // The simulator's header times are compressed too: its `w=300` is 5 wall seconds.
  headerTimeScale: TIME_SCALE,
});

// The one line that changes: InferenceClient → GovernedInferenceClient with a governor.
// `baseUrl` sends huggingface.co and router.huggingface.co to the simulator.
const hf = new GovernedInferenceClient("hf_test_pro", { governor, baseUrl: sim.url });

async function agent(id) {
  const done = { calls: 0, streamed: 0, abandoned: 0, failed: 0 };
  for (let step = 0; step < STEPS; step++) {
    const messages = [{ role: "user", content: `Agent ${id}, step ${step}: plan the next move.` }];
    try {
      if (step === STEPS - 1) {
        // The last step streams; every third agent stops reading after a few chunks.
        let chunks = 0;
        for await (const _chunk of hf.chatCompletionStream({ model: MODEL, messages, max_tokens: 40 })) {
          if (id % 3 === 0 && ++chunks === 3) {
            done.abandoned++;
            break;
          }
        }
        done.streamed++;
      } else {
        await hf.chatCompletion({
          model: MODEL,
          provider: step === 1 ? "novita" : undefined,
          messages,
          max_tokens: 40,
        });
      }
      done.calls++;
    } catch (error) {
      done.failed++;
      console.error(`agent ${id}:`, isSwarmgateError(error) ? `${error.code}: ${error.message}` : error);
    }
  }
  return done;
}

const started = Date.now();
const results = await Promise.all(Array.from({ length: AGENTS }, (_, i) => agent(i)));
const total = (key) => results.reduce((n, r) => n + r[key], 0);
const stats = governor.stats();
const simStats = sim.stats();
const token = Object.values(simStats.tokens).find((t) => t.tier === "pro");
const snapshot = await governor.snapshot();

console.log(`\n${AGENTS} agents × ${STEPS} calls in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(
  `  calls ok: ${total("calls")}, failed: ${total("failed")}, streams: ${total("streamed")} (${total("abandoned")} abandoned midway)`,
);
console.log(
  `  governor: attempts ${stats.attempts}, retries ${JSON.stringify(stats.retries)}, p95 ${stats.latencyMs.p95.toFixed(0)} ms`,
);
console.log(
  `  learnt inference quota: ${snapshot.windows.inference?.[0]?.limit} per window (configured 1000)`,
);
console.log(
  `  slots in flight now: ${stats.concurrency?.inFlight}, credits spent: $${stats.creditsSpentUsd.toFixed(6)}`,
);
console.log(
  `  simulator: ${token?.buckets.inference?.requests} inference requests, 429: ${token?.buckets.inference?.rejected429}, 503: ${token?.buckets.inference?.rejected503}, over quota: ${simStats.overQuota}`,
);

await governor.close();
await sim.close();
