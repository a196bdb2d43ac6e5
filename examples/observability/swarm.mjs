// A swarm of agents calling a (simulated) Hugging Face router through one governor, with
// every call and every HTTP attempt recorded through `@opentelemetry/api`. Used by
// index.mjs (the example) and by test/otel-prometheus.test.ts (which checks that every
// panel of grafana/dashboards/swarmgate.json shows data for this swarm).
import { setMaxListeners } from "node:events";
import { context } from "@opentelemetry/api";
import { serverOfUrl, UpstreamError } from "@swarmgate/core";

/** USD per million tokens (input and output), for the credits panel. */
const PRICE_PER_MILLION = 0.2;

/** Models the agents pick from: `model:provider` routes to one provider on the router. */
export const MODELS = [
  { model: "meta-llama/Llama-3.1-8B-Instruct", provider: "together" },
  { model: "Qwen/Qwen2.5-7B-Instruct", provider: "together" },
  { model: "deepseek-ai/DeepSeek-V3", provider: "novita" },
];

/**
 * Simulator options: a PRO token whose inference quota (40 per 10 s) is below what the
 * governor is told (60 per 10 s), which the RateLimit headers correct; a partner provider
 * (novita) with its own limit, whose 429s carry no header at all, as some do; 8% injected
 * 503s for retries.
 *
 * @type {import("@swarmgate/hf-simulator").SimulatorOptions}
 */
export const SIMULATOR_OPTIONS = {
  seed: 7,
  windowMs: 10_000,
  quotas: { pro: { inference: 40 } },
  // Two per 4 s: well below the third of the swarm's calls that go to novita, however slow
  // the machine, so its header-less 429s always show.
  providers: { novita: { requestsPerWindow: 2, windowMs: 4_000 } },
  faults: { errorRate: 0.08, errorStatus: 503 },
  latency: { baseMs: 40, perOutputTokenMs: 2, jitter: 0.3 },
  tokensPerSecond: 400,
  coldStart: false,
};

/**
 * Governor options for the swarm: a local guess of the quota, a ramped concurrency limit,
 * fast retries, breakers per provider and a credit budget.
 *
 * @param {string} name
 * @returns {import("@swarmgate/core").GovernorOptions}
 */
export function swarmGovernorOptions(name) {
  return {
    name,
    quotas: { inference: [{ limit: 60, windowMs: 10_000 }] },
    concurrency: { initial: 2, max: 6, rampMs: 5_000, maxQueue: 1_000 },
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2_000, budget: false },
    breaker: {
      volumeThreshold: 20,
      errorThresholdPercentage: 60,
      resetTimeoutMs: 3_000,
      rollingWindowMs: 5_000,
    },
    budget: { monthlyUsd: 2, defaultEstimateUsd: 0.00005 },
    attemptTimeoutMs: 10_000,
    totalTimeoutMs: 30_000,
  };
}

function costOf(usage) {
  return ((usage.prompt_tokens + usage.completion_tokens) * PRICE_PER_MILLION) / 1e6;
}

async function* sseEvents(body) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) if (line.startsWith("data: ")) yield line.slice(6);
      end = buffer.indexOf("\n\n");
    }
  }
}

/**
 * One chat call through the governor: one HTTP attempt span per attempt (active around
 * `fetch`, its `traceparent` sent), the response's RateLimit headers fed back, the answer's
 * id, model and finish reasons, usage and cost reported. A stream keeps its concurrency slot
 * (and the call's span) until it has been read; `text` resolves then.
 *
 * @param {import("@swarmgate/core").Governor} governor
 * @param {{ baseUrl: string, token: string, model: string, provider: string, prompt: string,
 *   stream?: boolean, agentId?: string, signal?: AbortSignal, beforeAttempt?: (attempt: number) => unknown }} call
 * @returns {Promise<{ text: Promise<string> }>}
 */
export function chat(governor, call) {
  const url = `${call.baseUrl}/v1/chat/completions`;
  const startedAt = performance.now();
  const labels = { operation: "chat", model: call.model, provider: call.provider };
  const { address, port } = serverOfUrl(url) ?? {};
  const server = { serverAddress: address, serverPort: port };
  return governor.run(
    async ({ attempt, signal, observe, reportUsage, reportResponse, holdSlot }) => {
      await call.beforeAttempt?.(attempt);
      reportResponse(server);
      const http = governor.telemetry.startHttpAttempt({ method: "POST", url, attempt });
      // A copy per attempt: the attempt's traceparent (unless an HTTP instrumentation sends its own).
      const headers = { authorization: `Bearer ${call.token}`, "content-type": "application/json" };
      http.inject(headers);
      let response;
      try {
        response = await http.run(() =>
          fetch(url, {
            method: "POST",
            headers,
            body: JSON.stringify({
              model: `${call.model}:${call.provider}`,
              messages: [{ role: "user", content: call.prompt }],
              max_tokens: 24,
              stream: !!call.stream,
              ...(call.stream ? { stream_options: { include_usage: true } } : {}),
            }),
            signal,
          }),
        );
      } catch (error) {
        http.end({ error });
        throw error;
      }
      observe(response);
      if (!response.ok) {
        http.end({ status: response.status });
        await response.body?.cancel();
        throw new UpstreamError(`HTTP ${response.status} from the router`, response.status);
      }
      if (!call.stream) {
        const json = await response.json();
        http.end({ status: response.status });
        reportResponse({
          id: json.id,
          model: json.model,
          finishReasons: json.choices.map((c) => c.finish_reason),
        });
        reportUsage({
          inputTokens: json.usage.prompt_tokens,
          outputTokens: json.usage.completion_tokens,
          responseModel: json.model,
          costUsd: costOf(json.usage),
        });
        return { text: Promise.resolve(json.choices[0].message.content ?? "") };
      }
      const release = holdSlot();
      const active = context.active(); // the call's span: the first chunk's exemplar links to it
      const text = (async () => {
        let out = "";
        let first = true;
        try {
          for await (const data of sseEvents(response.body)) {
            if (data === "[DONE]") break;
            if (first) {
              first = false;
              governor.telemetry.recordTimeToFirstChunk(
                labels,
                (performance.now() - startedAt) / 1000,
                active,
              );
            }
            const chunk = JSON.parse(data);
            out += chunk.choices?.[0]?.delta?.content ?? "";
            const finish = chunk.choices?.[0]?.finish_reason;
            if (finish) reportResponse({ id: chunk.id, model: chunk.model, finishReasons: [finish] });
            if (chunk.usage)
              reportUsage({
                inputTokens: chunk.usage.prompt_tokens,
                outputTokens: chunk.usage.completion_tokens,
                responseModel: chunk.model,
                costUsd: costOf(chunk.usage),
              });
          }
          http.end({ status: response.status });
          return out;
        } catch (error) {
          http.end({ status: response.status, error });
          throw error;
        } finally {
          release();
        }
      })();
      return { text };
    },
    {
      ...labels,
      attributes: call.agentId ? { "gen_ai.agent.id": call.agentId } : undefined,
      signal: call.signal,
    },
  );
}

/**
 * Runs `agents` agents in a loop until `signal` aborts: each picks a model, makes a call
 * (every `streamEvery`-th one streamed), waits a little, and goes again. Failed calls are
 * part of the show: they are counted, not thrown.
 *
 * @param {{ governor: import("@swarmgate/core").Governor, baseUrl: string, token: string,
 *   agents?: number, streamEvery?: number, thinkMs?: number, signal: AbortSignal }} options
 * @returns {Promise<{ calls: number, failures: number }>}
 */
export async function runSwarm({
  governor,
  baseUrl,
  token,
  agents = 12,
  streamEvery = 4,
  thinkMs = 20,
  signal,
}) {
  let calls = 0;
  let failures = 0;
  setMaxListeners(Math.max(10, agents * 2), signal); // every agent's call listens to it
  const agent = async (i) => {
    for (let n = 0; !signal.aborted; n++) {
      const { model, provider } = MODELS[(i + n) % MODELS.length];
      calls++;
      try {
        const { text } = await chat(governor, {
          baseUrl,
          token,
          model,
          provider,
          prompt: `Agent ${i}, step ${n}: plan the next step.`,
          stream: (i + n) % streamEvery === 0,
          agentId: `agent-${i}`,
          signal,
        });
        await text;
      } catch {
        failures++;
      }
      await new Promise((resolve) => setTimeout(resolve, thinkMs).unref());
    }
  };
  await Promise.all(Array.from({ length: agents }, (_, i) => agent(i)));
  return { calls, failures };
}
