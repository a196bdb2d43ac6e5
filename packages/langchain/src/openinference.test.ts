// The real OpenInference LangChain instrumentation, the real OTel SDK with an in-memory
// exporter and real createAgent agents (tool loop) against the simulator: one trace per
// agent run, with the governor's call spans under OpenInference's LLM spans.
import { LangChainInstrumentation } from "@arizeai/openinference-instrumentation-langchain";
import { setLogger } from "@huggingface/inference";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import * as CallbackManagerModule from "@langchain/core/callbacks/manager";
import { awaitAllCallbacks, consumeCallback } from "@langchain/core/callbacks/promises";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createGovernor, type Governor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";
import { createAgent } from "langchain";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { LANGCHAIN_ATTR } from "./attributes.js";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { GovernorCallbackHandler } from "./governor-callback-handler.js";
import { withGovernor } from "./with-governor.js";

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const KIND = "openinference.span.kind";
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
  // ESM: the instrumentation cannot hook the import, so it patches the module it is given.
  new LangChainInstrumentation({ tracerProvider: provider }).manuallyInstrument(CallbackManagerModule);
  sim = await startSimulator({ timeScale: 100, seed: 9, coldStart: false, latency: false });
  governor = createGovernor({ name: "openinference-test", tracerProvider: provider, headerTimeScale: 100 });
});
afterAll(async () => {
  await governor.close();
  await sim.close();
  contextManager.disable();
  context.disable();
});
beforeEach(() => exporter.reset());
afterEach(() => vi.unstubAllEnvs());

const agent = (name: string) =>
  createAgent({
    model: new ChatHuggingFace({ model: LLAMA, governor, apiKey: "hf_test_pro", baseUrl: sim.url }),
    tools: [getWeather],
    name,
  });
const ask = (city: string) => ({ messages: [{ role: "user", content: `What is the weather in ${city}?` }] });

// Every span once OpenInference's end callbacks (LangChain's background queue) have run.
async function finished(): Promise<ReadableSpan[]> {
  await awaitAllCallbacks();
  return exporter.getFinishedSpans();
}
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const isCall = (span: ReadableSpan) => span.instrumentationScope.name === "@swarmgate/core";

/** The spans of each trace; throws unless each trace has one root and no span's parent is missing. */
function traces(spans: readonly ReadableSpan[]): Map<string, ReadableSpan[]> {
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) byTrace.set(traceOf(span), [...(byTrace.get(traceOf(span)) ?? []), span]);
  for (const [id, members] of byTrace) {
    const ids = new Set(members.map(idOf));
    const roots = members.filter((s) => parentOf(s) === undefined);
    const orphans = members.filter((s) => parentOf(s) !== undefined && !ids.has(parentOf(s)!));
    if (roots.length !== 1 || orphans.length > 0)
      throw new Error(
        `trace ${id}: roots ${roots.map((s) => s.name)}, orphans ${orphans.map((s) => s.name)}`,
      );
  }
  return byTrace;
}

/** Each governor call span's parent, which must be one of OpenInference's LLM spans, one call each. */
function expectCallsUnderLlmSpans(spans: readonly ReadableSpan[], calls: number): void {
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  const chats = spans.filter((s) => isCall(s) && s.name.startsWith("chat "));
  expect(chats).toHaveLength(calls);
  const llm = spans.filter((s) => s.attributes[KIND] === "LLM");
  expect(llm).toHaveLength(calls);
  for (const chat of chats) {
    const parent = byId.get(parentOf(chat) ?? "");
    expect(parent?.attributes[KIND]).toBe("LLM");
    expect(traceOf(chat)).toBe(traceOf(parent!));
  }
  expect(new Set(chats.map(parentOf)).size).toBe(calls);
  // The HTTP attempts stay under their call span.
  const posts = spans.filter((s) => isCall(s) && s.name === "POST");
  expect(posts.map(parentOf).sort()).toEqual(chats.map(idOf).sort());
}

describe("with OpenInference's LangChain instrumentation", () => {
  it("makes one trace of an agent run, each governor call span a child of OpenInference's LLM span", async () => {
    await agent("forecaster").invoke(ask("Paris"));
    const spans = await finished();
    const all = traces(spans);
    expect(all.size).toBe(1);
    const [root] = spans.filter((s) => parentOf(s) === undefined);
    // OpenInference names the root span after the run (createAgent's name), kind CHAIN.
    expect(root?.name).toBe("forecaster");
    // The tool loop: model → tool → model.
    expectCallsUnderLlmSpans(spans, 2);
    expect(spans.filter((s) => s.attributes[KIND] === "TOOL").map((s) => s.name)).toEqual(["get_weather"]);
    for (const chat of spans.filter((s) => isCall(s) && s.name.startsWith("chat ")))
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME]).toBe("forecaster");
  });

  it("gives N agents run in parallel N separate traces, no span orphaned", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    await Promise.all(names.map((name, i) => agent(name).invoke(ask(`city ${i}`))));
    const spans = await finished();
    const all = traces(spans);
    expect(all.size).toBe(names.length);
    const rootNames = [...all.values()].map(
      (members) => members.find((s) => parentOf(s) === undefined)!.name,
    );
    expect(rootNames.sort()).toEqual([...names].sort());
    for (const members of all.values()) expectCallsUnderLlmSpans(members, 2);
  });

  it("finds the LLM span when OpenInference's start callback is still queued as the model is called", async () => {
    // Hold LangChain's background queue until the model run has started and the model is
    // being called: OpenInference's span for the run does not exist yet, and the call waits.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    void consumeCallback(() => held, false);
    class Releaser extends BaseCallbackHandler {
      name = "releaser";
      constructor() {
        super({ _awaitHandler: true });
      }
      override handleChatModelStart() {
        setImmediate(release);
      }
    }
    await agent("patient").invoke(ask("Quito"), { callbacks: [new Releaser()] });
    const spans = await finished();
    expect(traces(spans).size).toBe(1);
    expectCallsUnderLlmSpans(spans, 2);
  });

  it("with LANGCHAIN_CALLBACKS_BACKGROUND=false, puts each run in the trace of the application's span around it", async () => {
    // OpenInference's tracer reads it when each run creates it.
    vi.stubEnv("LANGCHAIN_CALLBACKS_BACKGROUND", "false");
    const app = provider.getTracer("app");
    const jobs = [0, 1, 2, 3];
    await Promise.all(
      jobs.map((i) =>
        app.startActiveSpan(`job ${i}`, (job) =>
          agent(`worker-${i}`)
            .invoke(ask(`town ${i}`))
            .finally(() => job.end()),
        ),
      ),
    );
    const spans = await finished();
    const all = traces(spans);
    expect(all.size).toBe(jobs.length);
    for (const members of all.values()) {
      const job = members.find((s) => parentOf(s) === undefined)!;
      const i = job.name.slice("job ".length);
      const under = members.filter((s) => parentOf(s) === idOf(job)).map((s) => s.name);
      // The job's children: the agent's run (and nothing of another job).
      expect(under).toEqual([`worker-${i}`]);
      expectCallsUnderLlmSpans(members, 2);
    }
  });

  it("keeps the agent's names from GovernorCallbackHandler({ spans: false }) on the call spans", async () => {
    const handler = new GovernorCallbackHandler({ tracerProvider: provider, spans: false });
    await agent("named").invoke(ask("Lima"), { callbacks: [handler], configurable: { thread_id: "t-1" } });
    const spans = await finished();
    expect(traces(spans).size).toBe(1);
    expectCallsUnderLlmSpans(spans, 2);
    for (const chat of spans.filter((s) => isCall(s) && s.name.startsWith("chat "))) {
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME]).toBe("named");
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_CONVERSATION_ID]).toBe("t-1");
    }
    expect(handler.activeRuns).toBe(0);
  });

  it("parents streamed model calls too (agent.stream, messages mode)", async () => {
    for await (const _ of await agent("streamer").stream(ask("Oslo"), { streamMode: "messages" })) {
      // drain
    }
    const spans = await finished();
    expect(traces(spans).size).toBe(1);
    expectCallsUnderLlmSpans(spans, 2);
  });

  it("parents the calls of withGovernor(ChatOpenAI) the same way", async () => {
    const model = withGovernor(
      new ChatOpenAI({
        model: LLAMA,
        apiKey: "hf_test_pro",
        configuration: { baseURL: `${sim.url}/v1`, fetch: governedFetch(governor) },
      }),
      governor,
    );
    await createAgent({ model, tools: [getWeather], name: "router" }).invoke(ask("Rome"));
    const spans = await finished();
    expect(traces(spans).size).toBe(1);
    expectCallsUnderLlmSpans(spans, 2);
  });
});
