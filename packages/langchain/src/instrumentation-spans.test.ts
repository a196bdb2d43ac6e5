// A LangChain instrumentation's handler whose name is known but whose shape is not (a later
// version that keeps its spans elsewhere): the governor's call span starts as without it.
import { setLogger } from "@huggingface/inference";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { context, DiagLogLevel, diag } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createGovernor, type Governor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { instrumentationSpanOf } from "./instrumentation-spans.js";

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
let sim: Simulator;
let governor: Governor;

beforeAll(async () => {
  setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });
  context.setGlobalContextManager(contextManager.enable());
  sim = await startSimulator({ timeScale: 100, seed: 3, coldStart: false, latency: false });
  governor = createGovernor({
    name: "instrumentation-spans-test",
    tracerProvider: provider,
    headerTimeScale: 100,
  });
});
afterAll(async () => {
  await governor.close();
  await sim.close();
  contextManager.disable();
  context.disable();
});

class Reshaped extends BaseCallbackHandler {
  name = "OpenInferenceLangChainTracer";
  runs = ["not", "a", "record"];
}

describe("instrumentationSpanOf", () => {
  it("leaves the call span in the active context, and says so once, for a known tracer of another shape", async () => {
    const warnings: string[] = [];
    const noop = () => {};
    diag.setLogger(
      { error: noop, warn: (m: string) => warnings.push(m), info: noop, debug: noop, verbose: noop },
      DiagLogLevel.WARN,
    );
    const app = provider.getTracer("app");
    try {
      for (const city of ["Bern", "Kyiv"])
        await app.startActiveSpan(`request ${city}`, (request) =>
          new ChatHuggingFace({ model: LLAMA, governor, apiKey: "hf_test_pro", baseUrl: sim.url })
            .invoke(`Hello from ${city}`, { callbacks: [new Reshaped()] })
            .finally(() => request.end()),
        );
    } finally {
      diag.disable();
    }
    const spans = exporter.getFinishedSpans();
    for (const city of ["Bern", "Kyiv"]) {
      const request = spans.find((s) => s.name === `request ${city}`)!;
      const chats = spans.filter(
        (s) => s.name.startsWith("chat ") && s.parentSpanContext?.spanId === request.spanContext().spanId,
      );
      expect(chats).toHaveLength(1);
    }
    expect(warnings).toEqual([expect.stringContaining("@arizeai/openinference-instrumentation-langchain")]);
  });

  it("answers undefined without handlers, a run id, or a known tracer, and never throws", async () => {
    expect(await instrumentationSpanOf(undefined, "r")).toBeUndefined();
    expect(await instrumentationSpanOf([new Reshaped()], undefined)).toBeUndefined();
    expect(await instrumentationSpanOf([null, 1, "x", {}], "r")).toBeUndefined();
    const hostile = {
      name: "traceloop_callback_handler",
      get spans(): never {
        throw new Error("boom");
      },
    };
    expect(await instrumentationSpanOf([hostile], "r")).toBeUndefined();
    // A known shape holding something that is not a span.
    const fake = {
      name: "traceloop_callback_handler",
      awaitHandlers: true,
      spans: new Map([["r", { span: {} }]]),
    };
    expect(await instrumentationSpanOf([fake], "r")).toBeUndefined();
  });
});
