// The real Traceloop LangChain instrumentation (@traceloop/instrumentation-langchain 0.27.0),
// the real OTel SDK with an in-memory exporter and real createAgent agents (tool loop) against
// the simulator: what trees an agent run makes, with its instrumentation and with its handler.
import { setLogger } from "@huggingface/inference";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import * as CallbackManagerModule from "@langchain/core/callbacks/manager";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { tool } from "@langchain/core/tools";
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
import { LangChainInstrumentation, TraceloopCallbackHandler } from "@traceloop/instrumentation-langchain";
import { createAgent } from "langchain";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { LANGCHAIN_ATTR } from "./attributes.js";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { GovernorCallbackHandler } from "./governor-callback-handler.js";

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const TRACELOOP = "@traceloop/instrumentation-langchain";
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
  sim = await startSimulator({ timeScale: 100, seed: 5, coldStart: false, latency: false });
  governor = createGovernor({ name: "traceloop-test", tracerProvider: provider, headerTimeScale: 100 });
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

async function finished(): Promise<ReadableSpan[]> {
  await awaitAllCallbacks();
  return exporter.getFinishedSpans();
}
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const scopeOf = (span: ReadableSpan) => span.instrumentationScope.name;
const isCall = (span: ReadableSpan) => scopeOf(span) === "@swarmgate/core" && span.name.startsWith("chat ");
const traceloopSpans = (spans: readonly ReadableSpan[], scope: string) =>
  spans.filter((s) => scopeOf(s) === scope);

/** Each governor call span is a child of a Traceloop `chat {model}` span, one call each. */
function expectCallsUnderChatSpans(spans: readonly ReadableSpan[], scope: string, calls: number): void {
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  const chats = spans.filter(isCall);
  expect(chats).toHaveLength(calls);
  for (const chat of chats) {
    const parent = byId.get(parentOf(chat) ?? "");
    expect(scopeOf(parent!)).toBe(scope);
    expect(parent!.name).toBe(`chat ${LLAMA}`);
    expect(traceOf(chat)).toBe(traceOf(parent!));
  }
  expect(new Set(chats.map(parentOf)).size).toBe(calls);
  const posts = spans.filter((s) => scopeOf(s) === "@swarmgate/core" && s.name === "POST");
  expect(posts.map(parentOf).sort()).toEqual(chats.map(idOf).sort());
}

/** With background callbacks: every Traceloop span is the root of a trace of its own. */
function expectEachTraceloopSpanItsOwnTrace(
  spans: readonly ReadableSpan[],
  scope: string,
  runs: number,
): void {
  const own = traceloopSpans(spans, scope);
  for (const span of own) expect(parentOf(span)).toBeUndefined();
  expect(new Set(own.map(traceOf)).size).toBe(own.length);
  // The agent's run, named after the graph's class (0.27.0 reads `runName` from the position
  // where LangChain 1.x passes `runType`), next to the model, tool and node runs.
  expect(own.filter((s) => s.name === "workflow CompiledStateGraph")).toHaveLength(runs);
  expect(own.filter((s) => s.name === `chat ${LLAMA}`)).toHaveLength(2 * runs);
  expect(own.filter((s) => s.name.startsWith("execute_tool "))).toHaveLength(runs);
  // The only traces shared by several spans: a chat span with the governor's spans under it.
  expect(new Set(spans.map(traceOf)).size).toBe(own.length);
}

/** Each job span is a root; its run's Traceloop spans are all its children (flat). */
function expectOneTracePerJob(spans: readonly ReadableSpan[], scope: string, jobs: number): void {
  const roots = spans.filter((s) => parentOf(s) === undefined);
  expect(roots.map((s) => s.name).sort()).toEqual(Array.from({ length: jobs }, (_, i) => `job ${i}`));
  expect(new Set(spans.map(traceOf)).size).toBe(jobs);
  for (const job of roots) {
    const members = spans.filter((s) => traceOf(s) === traceOf(job));
    const own = traceloopSpans(members, scope);
    expect(own.length).toBeGreaterThanOrEqual(4);
    for (const span of own) expect(parentOf(span)).toBe(idOf(job));
    expectCallsUnderChatSpans(members, scope, 2);
  }
}

/** The kinds of runs a handler hears of: the agent's, its models', its tools'. */
class Recorder extends BaseCallbackHandler {
  name = "recorder";
  readonly seen: string[] = [];
  override handleChainStart(_chain: unknown, _inputs: unknown, _runId: string, parentRunId?: string) {
    if (parentRunId === undefined) this.seen.push("agent");
  }
  override handleChatModelStart() {
    this.seen.push("model");
  }
  override handleToolStart() {
    this.seen.push("tool");
  }
}

const jobs = (run: (i: number) => Promise<unknown>) => {
  const app = provider.getTracer("app");
  return Promise.all(
    [0, 1, 2].map((i) => app.startActiveSpan(`job ${i}`, (job) => run(i).finally(() => job.end()))),
  );
};

describe("with TraceloopCallbackHandler in the callbacks", () => {
  const handler = () => new TraceloopCallbackHandler(provider.getTracer("traceloop"));

  it("makes each of its spans a trace of its own, the governor's call spans under its chat spans", async () => {
    const traceloop = handler();
    await Promise.all([0, 1].map((i) => agent(`a-${i}`).invoke(ask(`c${i}`), { callbacks: [traceloop] })));
    const spans = await finished();
    expectEachTraceloopSpanItsOwnTrace(spans, "traceloop", 2);
    expectCallsUnderChatSpans(spans, "traceloop", 4);
  });

  it("with LANGCHAIN_CALLBACKS_BACKGROUND=false and a span around each run, makes one trace per run", async () => {
    // The handler reads it when it is made.
    vi.stubEnv("LANGCHAIN_CALLBACKS_BACKGROUND", "false");
    const traceloop = handler();
    const recorder = new Recorder();
    await jobs((i) => agent(`w-${i}`).invoke(ask(`t${i}`), { callbacks: [traceloop, recorder] }));
    const spans = await finished();
    expectOneTracePerJob(spans, "traceloop", 3);
    for (const chat of spans.filter(isCall))
      expect(chat.attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME]).toMatch(/^w-\d$/);
    // The other handlers hear of every run.
    expect(recorder.seen.sort()).toEqual([
      ...Array(3).fill("agent"),
      ...Array(6).fill("model"),
      ...Array(3).fill("tool"),
    ]);
  });
});

describe("with Traceloop's LangChainInstrumentation", () => {
  const { CallbackManager } = CallbackManagerModule as unknown as {
    CallbackManager: { _configureSync: unknown; _traceloopPatched?: boolean };
  };
  const original = CallbackManager._configureSync;

  beforeAll(() => {
    const instrumentation = new LangChainInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument({ callbackManagerModule: CallbackManagerModule });
  });
  afterAll(() => {
    // Left marked as patched: the constructor's own dynamic import of the module may land later.
    CallbackManager._configureSync = original;
  });

  it("patches CallbackManager._configureSync", () => {
    expect(CallbackManager._configureSync).not.toBe(original);
    expect(CallbackManager._traceloopPatched).toBe(true);
  });

  it("makes each of its spans a trace of its own, the governor's call spans under its chat spans", async () => {
    await Promise.all([0, 1].map((i) => agent(`b-${i}`).invoke(ask(`d${i}`))));
    const spans = await finished();
    expectEachTraceloopSpanItsOwnTrace(spans, TRACELOOP, 2);
    expectCallsUnderChatSpans(spans, TRACELOOP, 4);
  });

  it("hides the agent's child runs from the handlers passed to invoke", async () => {
    const governed = new GovernorCallbackHandler({ tracerProvider: provider });
    const recorder = new Recorder();
    await agent("hidden").invoke(ask("Bern"), { callbacks: [governed, recorder] });
    const spans = await finished();
    // Each nested configure replaces the inherited callback manager by a new Traceloop handler.
    expect(recorder.seen).toEqual(["agent"]);
    const ours = spans.filter((s) => scopeOf(s) === "@swarmgate/langchain");
    // Its own agent span, alone: it never hears of the tool run nor of the model runs.
    expect(ours.map((s) => s.name)).toEqual(["invoke_agent hidden"]);
    expect(spans.filter((s) => parentOf(s) === idOf(ours[0]!))).toEqual([]);
    expectCallsUnderChatSpans(spans, TRACELOOP, 2);
  });

  it("with LANGCHAIN_CALLBACKS_BACKGROUND=false and a span around each run, makes one trace per run", async () => {
    vi.stubEnv("LANGCHAIN_CALLBACKS_BACKGROUND", "false");
    await jobs((i) => agent(`v-${i}`).invoke(ask(`u${i}`)));
    expectOneTracePerJob(await finished(), TRACELOOP, 3);
  });
});
