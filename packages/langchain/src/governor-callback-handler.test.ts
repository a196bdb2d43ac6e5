import { setLogger } from "@huggingface/inference";
import { tool } from "@langchain/core/tools";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createGovernor, type Governor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { createAgent } from "langchain";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { LANGCHAIN_ATTR } from "./attributes.js";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { GovernorCallbackHandler } from "./governor-callback-handler.js";

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
let sim: Simulator;
let governor: Governor;

const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
  name: "get_weather",
  description: "The current weather of a city",
  schema: z.object({ city: z.string() }),
});

beforeAll(async () => {
  setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });
  context.setGlobalContextManager(contextManager.enable());
  sim = await startSimulator({ timeScale: 100, seed: 9, coldStart: false, latency: false });
  governor = createGovernor({ name: "spans-test", tracerProvider: provider, headerTimeScale: 100 });
});
afterAll(async () => {
  await governor.close();
  await sim.close();
  contextManager.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

const agent = (name: string) =>
  createAgent({
    model: new ChatHuggingFace({ model: LLAMA, governor, apiKey: "hf_test_pro", baseUrl: sim.url }),
    tools: [getWeather],
    name,
  });
const spans = (prefix: string) => exporter.getFinishedSpans().filter((s) => s.name.startsWith(prefix));
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("GovernorCallbackHandler", () => {
  it("makes the governor's chat spans children of the agent's span, with the agent's name", async () => {
    const handler = new GovernorCallbackHandler({ tracerProvider: provider });
    await agent("forecaster").invoke(
      { messages: [{ role: "user", content: "What is the weather in Paris?" }] },
      { callbacks: [handler], configurable: { thread_id: "thread-7" } },
    );
    const [root] = spans("invoke_agent");
    expect(root?.name).toBe("invoke_agent forecaster");
    expect(root?.attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME]).toBe("forecaster");
    const chats = spans("chat ");
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      expect(parentOf(chat)).toBe(root?.spanContext().spanId);
      expect(chat.spanContext().traceId).toBe(root?.spanContext().traceId);
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME]).toBe("forecaster");
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_CONVERSATION_ID]).toBe("thread-7");
      expect(chat.attributes[LANGCHAIN_ATTR.RUN_ID]).toEqual(expect.any(String));
    }
    const [toolSpan] = spans("execute_tool");
    expect(toolSpan?.name).toBe("execute_tool get_weather");
    expect(parentOf(toolSpan!)).toBe(root?.spanContext().spanId);
    // The HTTP attempts stay under their chat span.
    const posts = spans("POST");
    expect(posts.map(parentOf).sort()).toEqual(chats.map((c) => c.spanContext().spanId).sort());
    expect(handler.activeRuns).toBe(0);
  });

  it("works next to another LangChain tracer, under the application's own span", async () => {
    const handler = new GovernorCallbackHandler({ tracerProvider: provider });
    const collector = new RunCollectorCallbackHandler();
    const tracer = provider.getTracer("app");
    await tracer.startActiveSpan("handle request", async (request) => {
      await agent("planner").invoke(
        { messages: [{ role: "user", content: "What is the weather in Oslo?" }] },
        { callbacks: [collector, handler] },
      );
      request.end();
    });
    const [request] = spans("handle request");
    const [root] = spans("invoke_agent");
    expect(parentOf(root!)).toBe(request?.spanContext().spanId);
    // The run id on the governor's span is the one the other tracer recorded for the model run.
    const llmRuns: string[] = [];
    const walk = (run: { id: string; run_type: string; child_runs: unknown[] }) => {
      if (run.run_type === "llm") llmRuns.push(run.id);
      for (const child of run.child_runs) walk(child as typeof run);
    };
    for (const run of collector.tracedRuns) walk(run as unknown as Parameters<typeof walk>[0]);
    const chatRunIds = spans("chat ").map((s) => s.attributes[LANGCHAIN_ATTR.RUN_ID]);
    expect(chatRunIds.sort()).toEqual(llmRuns.sort());
  });

  it("without the handler, spans still carry the agent's name under the active span", async () => {
    const tracer = provider.getTracer("app");
    await tracer.startActiveSpan("handle request", async (request) => {
      await agent("solo").invoke({ messages: [{ role: "user", content: "What is the weather in Rome?" }] });
      request.end();
    });
    const [request] = spans("handle request");
    const chats = spans("chat ");
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      expect(parentOf(chat)).toBe(request?.spanContext().spanId);
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME]).toBe("solo");
    }
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("parents streamed model calls too (agent.stream, messages mode)", async () => {
    const handler = new GovernorCallbackHandler({ tracerProvider: provider });
    for await (const _ of await agent("streamer").stream(
      { messages: [{ role: "user", content: "What is the weather in Lima?" }] },
      { streamMode: "messages", callbacks: [handler] },
    )) {
      // drain
    }
    const [root] = spans("invoke_agent");
    const chats = spans("chat ");
    expect(chats).toHaveLength(2);
    for (const chat of chats) expect(parentOf(chat)).toBe(root?.spanContext().spanId);
  });
});
