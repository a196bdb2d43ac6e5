// A swarm moved off the shared router onto a dedicated Inference Endpoint: the unmodified
// @huggingface/inference client calls it by `endpointUrl`. The simulator starts in-process
// with time compressed ×600 (one simulated minute = 100 ms), and the endpoint scales from
// zero: a cold start, then replicas added under load, then back to zero when idle.
//
//   pnpm build && node examples/inference-endpoints/index.mjs
import { InferenceClient } from "@huggingface/inference";
import { startSimulator } from "@swarmgate/hf-simulator";

const TIME_SCALE = 600;
const AGENTS = 40;
const STEPS = 5;

const sim = await startSimulator({
  timeScale: TIME_SCALE,
  seed: 3,
  endpoints: [
    {
      name: "swarm-llama",
      model: "meta-llama/Llama-3.1-8B-Instruct",
      instanceType: "nvidia-a10g",
      hourlyCostUsd: 1,
      minReplicas: 0, // scale to zero when idle
      maxReplicas: 4,
      concurrencyPerReplica: 8,
      queuePerReplica: 16,
      coldStartMs: 90_000, // 90 simulated seconds to start a replica
      scaleToZeroAfterMs: 15 * 60_000,
      latency: { baseMs: 800, perOutputTokenMs: 15 },
    },
  ],
});
const endpointUrl = `${sim.url}/endpoints/swarm-llama`;
const show = (label) => {
  const e = sim.stats().endpoints["swarm-llama"];
  console.log(
    `${label.padEnd(22)} ${e.status.padEnd(13)} replicas ${e.readyReplicas}/${e.replicas} (max ${e.maxReplicas})` +
      `  served ${e.served}  503s ${e.rejected503}  $${e.hourlyCostUsd.toFixed(2)}/h  spent $${e.costUsd.toFixed(4)}`,
  );
};

show("created (min 0)");
// The client retries 503s at once and forever by default; while the endpoint cold-starts,
// a call with `retry_on_error: false` sees the 503 the proxy answers.
const client = new InferenceClient("hf_test_pro", { endpointUrl });
try {
  await client.chatCompletion(
    { messages: [{ role: "user", content: "wake up" }] },
    { retry_on_error: false },
  );
} catch (error) {
  console.log(`first call            ${error.httpResponse?.status}: ${error.message}`);
}
show("cold start");

// Agents wait through the cold start with Hugging Face's X-Scale-Up-Timeout header, which
// holds a request until a replica is ready (the client's `fetch` option adds it).
const held = new InferenceClient("hf_test_pro", {
  endpointUrl,
  fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, "X-Scale-Up-Timeout": "600" } }),
});
let answered = 0;
let refused = 0;
await Promise.all(
  Array.from({ length: AGENTS }, async (_, agent) => {
    for (let step = 0; step < STEPS; step++) {
      // A 503 (every replica busy, queue full) is retried by the client at once: the
      // endpoint's stats count those 503s, the agents only see the answer.
      try {
        await held.chatCompletion({
          messages: [{ role: "user", content: `Agent ${agent}, step ${step}: next move?` }],
          max_tokens: 40,
        });
        answered++;
      } catch {
        refused++;
      }
    }
  }),
);
console.log(
  `swarm                 ${answered} answered, ${refused} refused (${AGENTS} agents × ${STEPS} calls)`,
);
show("after the swarm");

// Fifteen idle simulated minutes (1.5 s of wall time) later it has scaled back to zero.
await new Promise((resolve) => setTimeout(resolve, (16 * 60_000) / TIME_SCALE));
show("idle 16 minutes");
await sim.close();
