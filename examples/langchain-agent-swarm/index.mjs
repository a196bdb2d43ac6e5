// 50 LangChain agents (createAgent, each with a real tool) run their tool loops through a
// governed ChatHuggingFace against a simulated Hugging Face whose inference quota (60 per
// 5-minute window, one window = one second here) is far below what the swarm asks for.
// Every task finishes; no window goes over quota; the simulator answers almost no 429/503.
//
//   pnpm build && node examples/langchain-agent-swarm/index.mjs
import { setLogger } from "@huggingface/inference";
import { tool } from "@langchain/core/tools";
import { createGovernor, presets } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import {
  ChatHuggingFace,
  GovernorCallbackHandler,
  HuggingFaceInferenceEmbeddings,
} from "@swarmgate/langchain";
import { createAgent } from "langchain";
import * as z from "zod";

const TIME_SCALE = 300; // 5 simulated minutes = 1 s of wall time
const QUOTA = 60; // inference requests per window
const AGENTS = 50;
const TASKS = 2; // per agent; each task is two model calls (tool call, then the answer)
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

// The client logs its provider choice on every auto-routed call.
setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });

const sim = await startSimulator({
  timeScale: TIME_SCALE,
  seed: 7,
  coldStart: false,
  quotas: { pro: { inference: QUOTA } },
});
const preset = presets.huggingface({ tier: "pro", timeScale: TIME_SCALE });
const governor = createGovernor({
  name: "langchain-swarm",
  ...preset,
  quotas: {
    ...preset.quotas,
    inference: [{ limit: QUOTA, windowMs: 300_000 / TIME_SCALE, kind: "fixed", smoothing: { burst: 6 } }],
  },
  totalTimeoutMs: 60_000,
});

// The one import that changes: a governed chat model. `baseUrl` sends Hugging Face's hosts to
// the simulator; the preset's headerTimeScale reads the simulator's compressed header times.
const model = new ChatHuggingFace({ model: MODEL, governor, apiKey: "hf_test_pro", baseUrl: sim.url });

let toolCalls = 0;
const getWeather = tool(
  async ({ city }) => {
    toolCalls++;
    return `Sunny, 21°C in ${city}`;
  },
  {
    name: "get_weather",
    description: "The current weather of a city",
    schema: z.object({ city: z.string().describe("The city") }),
  },
);

// One handler for the whole swarm: each agent's model calls become children of its
// `invoke_agent forecaster-N` span (with an OTel SDK installed) and carry its name.
const handler = new GovernorCallbackHandler();
const startedAt = performance.now();
let finished = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: AGENTS }, async (_, i) => {
    const agent = createAgent({ model, tools: [getWeather], name: `forecaster-${i}` });
    for (let task = 0; task < TASKS; task++) {
      const city = `City${i}x${task}`;
      try {
        const state = await agent.invoke(
          { messages: [{ role: "user", content: `What is the weather in ${city}?` }] },
          { callbacks: [handler] },
        );
        if (String(state.messages.at(-1)?.content).includes(city)) finished++;
        else failed++;
      } catch (error) {
        failed++;
        console.error(`forecaster-${i}:`, error.message);
      }
    }
  }),
);
const seconds = (performance.now() - startedAt) / 1000;

// A batch of embeddings: 100 texts in ⌈100 / 32⌉ = 4 governed requests.
const embeddings = new HuggingFaceInferenceEmbeddings({
  governor,
  apiKey: "hf_test_pro",
  baseUrl: sim.url,
  batchSize: 32,
});
const before = sim.stats().tokens["hf_…_pro"].buckets.inference.requests;
const vectors = await embeddings.embedDocuments(Array.from({ length: 100 }, (_, i) => `note ${i}`));
const embeddingRequests = sim.stats().tokens["hf_…_pro"].buckets.inference.requests - before;

const stats = governor.stats();
const bucket = sim.stats().tokens["hf_…_pro"].buckets.inference;
console.log(`
LangChain agent swarm: ${AGENTS} agents × ${TASKS} tasks in ${seconds.toFixed(1)} s
  tasks finished          ${finished} of ${AGENTS * TASKS} (failed: ${failed}), tool calls: ${toolCalls}
  governed calls          ${stats.calls.settled} settled (model calls and embedding batches), retries: ${JSON.stringify(stats.retries)}
  local throttling        ${JSON.stringify(stats.throttles)}
  latency p50 / p95       ${stats.latencyMs.p50?.toFixed(1)} / ${stats.latencyMs.p95?.toFixed(1)} ms
  embeddings              ${vectors.length} vectors in ${embeddingRequests} requests
simulator (quota ${QUOTA} per window of ${300_000 / TIME_SCALE} ms)
  inference requests      ${bucket.requests}
  429 / 503               ${bucket.rejected429} / ${bucket.rejected503}
  any window over quota   ${sim.stats().overQuota}
`);

await governor.close();
await sim.close();
