// One chatty agent (a runaway tool loop firing all its calls at once) and many quiet agents
// (a few calls each, one after the other) behind one governor whose quota binds. The queue
// kind decides who waits: with "fifo" the quiet agents queue behind the chatty burst; with
// "fair-share" they take turns with it; with "priority" their calls (priority 1) go first.
// A second, weighted quota policy counts tokens per minute: each call takes its estimate
// and the response's real usage reconciles it.
import { createGovernor, quotaPolicy, UpstreamError } from "@swarmgate/core";

export const TOKEN = "hf_test_pro";
export const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const ESTIMATED_TOKENS = 256;

/** One chat completion through `governor.run`, its usage reported to the governor. */
function chat(governor, url, { agent, priority }) {
  return governor.run(
    async ({ signal, observe, reportUsage }) => {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: "user", content: "Next step?" }],
          max_tokens: 16,
        }),
        signal,
      });
      observe(response);
      if (!response.ok) throw new UpstreamError(`HTTP ${response.status}`, response.status);
      const body = await response.json();
      reportUsage({ inputTokens: body.usage?.prompt_tokens, outputTokens: body.usage?.completion_tokens });
      return body;
    },
    { operation: "chat", model: MODEL, agent, priority, attributes: { "swarmgate.agent.id": agent } },
  );
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/**
 * Runs the swarm once against `url` (the simulator's router) and reports how long the quiet
 * agents' calls took, and what the tokens-per-minute window saw.
 *
 * @param {{ url: string, queue: "fifo" | "priority" | "fair-share", chattyCalls?: number,
 *   quietAgents?: number, quietCalls?: number, limit?: number, windowMs?: number }} options
 */
export async function runSwarm({
  url,
  queue,
  chattyCalls = 120,
  quietAgents = 20,
  quietCalls = 3,
  limit = 6,
  windowMs = 500,
}) {
  const governor = createGovernor({
    name: `fair-swarm-${queue}`,
    queue,
    quotas: { inference: [{ name: "requests", limit, windowMs }] },
    // A smooth start: a burst of concurrent calls is what Hugging Face answers with 503.
    concurrency: { initial: 2, max: 8, rampMs: 2_000 },
    policies: (defaults, kit) => [
      ...defaults,
      quotaPolicy(kit, {
        name: "tokens",
        requestClass: "tokens",
        quotas: { tokens: [{ name: "tpm", limit: 1_000_000, windowMs: 60_000 }] },
        permits: () => ESTIMATED_TOKENS,
        reconcile: (usage) => usage.inputTokens + usage.outputTokens,
      }),
    ],
  });
  const started = performance.now();
  const chatty = Array.from({ length: chattyCalls }, () =>
    chat(governor, url, { agent: "chatty", priority: 0 }).catch(() => {}),
  );
  const quietLatencies = [];
  const quiet = Array.from({ length: quietAgents }, async (_, i) => {
    for (let c = 0; c < quietCalls; c++) {
      const t = performance.now();
      await chat(governor, url, { agent: `quiet-${i}`, priority: 1 }).catch(() => {});
      quietLatencies.push(performance.now() - t);
    }
  });
  await Promise.all(quiet);
  const quietDoneMs = performance.now() - started;
  await Promise.all(chatty);
  const allDoneMs = performance.now() - started;
  const stats = governor.stats();
  const tokens = (await governor.snapshot()).windows.tokens?.[0];
  await governor.close();
  return {
    queue,
    quietP50Ms: percentile(quietLatencies, 50),
    quietMaxMs: Math.max(...quietLatencies),
    quietDoneMs,
    allDoneMs,
    succeeded: stats.outcomes.success,
    failed: stats.calls.settled - stats.outcomes.success,
    tokensUsed: tokens ? tokens.limit - tokens.remaining : 0,
    tokensEstimated: (chattyCalls + quietAgents * quietCalls) * ESTIMATED_TOKENS,
  };
}
