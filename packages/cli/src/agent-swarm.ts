import { setLogger } from "@huggingface/inference";
import { tool } from "@langchain/core/tools";
import type { Governor } from "@swarmgate/core";
import { ChatHuggingFace, GovernorCallbackHandler } from "@swarmgate/langchain";
import { createAgent } from "langchain";
import * as z from "zod";

/** Counters of the demo's swarm, read by the live view. */
export interface SwarmProgress {
  done: number;
  failed: number;
  running: number;
  cancelled: number;
}

/** What the swarm runs on. */
export interface SwarmOptions {
  readonly agents: number;
  readonly governor: Governor;
  readonly model: string;
  readonly token: string;
  readonly baseUrl: string | undefined;
  /** The transport under the governance (records every HTTP request). */
  readonly fetch: typeof fetch;
  /** Aborted on Ctrl-C: tasks in flight are cancelled. */
  readonly signal: AbortSignal;
  /** When it aborts, agents start no new task but finish the one they are on. */
  readonly stopStarting: AbortSignal;
}

/**
 * A swarm of LangChain agents (`createAgent`, each with a weather tool) whose model is a
 * governed `ChatHuggingFace`. Each agent takes task after task — two model calls each: the
 * tool call, then the answer — until `stopStarting`; a task counts as done when the answer
 * names the city it asked about.
 */
export async function runAgentSwarm(o: SwarmOptions, progress: SwarmProgress): Promise<void> {
  // The client logs its provider choice on every auto-routed call.
  setLogger({ debug() {}, info() {}, log() {}, warn() {}, error() {} });
  const model = new ChatHuggingFace({
    model: o.model,
    governor: o.governor,
    apiKey: o.token,
    baseUrl: o.baseUrl,
    fetch: o.fetch,
    maxTokens: 64,
  });
  const getWeather = tool(async ({ city }) => `Sunny, 21°C in ${city}`, {
    name: "get_weather",
    description: "The current weather of a city",
    schema: z.object({ city: z.string().describe("The city") }),
  });
  const handler = new GovernorCallbackHandler();
  await Promise.all(
    Array.from({ length: o.agents }, async (_, i) => {
      const agent = createAgent({ model, tools: [getWeather], name: `forecaster-${i}` });
      for (let task = 0; !o.stopStarting.aborted && !o.signal.aborted; task++) {
        const city = `City${i}x${task}`;
        progress.running++;
        try {
          const state = await agent.invoke(
            { messages: [{ role: "user", content: `What is the weather in ${city}?` }] },
            { callbacks: [handler], signal: o.signal },
          );
          if (String(state.messages.at(-1)?.content).includes(city)) progress.done++;
          else progress.failed++;
        } catch {
          if (o.signal.aborted) progress.cancelled++;
          else progress.failed++;
        } finally {
          progress.running--;
        }
      }
    }),
  );
}
