// LangChain agents traced by OpenInference's LangChain instrumentation, their model calls
// governed by swarmgate: each agent run is one trace (agent → model_request → LLM span →
// swarmgate's `chat {model}` → `POST`), however many agents run at once.
//
//   pnpm build && node examples/langchain-openinference/index.mjs
//
// Prints one line per trace and exits 1 when an agent run's spans are split over more than
// one trace, or a governed call span is not under an OpenInference LLM span.
import { LangChainInstrumentation } from "@arizeai/openinference-instrumentation-langchain";
import { setLogger } from "@huggingface/inference";
import * as CallbackManagerModule from "@langchain/core/callbacks/manager";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { tool } from "@langchain/core/tools";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createGovernor } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { ChatHuggingFace } from "@swarmgate/langchain";
import { createAgent } from "langchain";
import * as z from "zod";

const AGENTS = 6;
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const KIND = "openinference.span.kind"; // OpenInference's span kind: CHAIN, LLM, TOOL, …
const AGENT_NAME = "gen_ai.agent.name"; // on swarmgate's call spans

// The client logs its provider choice on every auto-routed call.
setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });

// OTel: an async-hooks context manager (the governor's spans nest through it), an in-memory
// exporter for the check below, and OTLP too when OTEL_EXPORTER_OTLP_ENDPOINT is set (Jaeger:
// http://localhost:4318).
const memory = new InMemorySpanExporter();
const spanProcessors = [new SimpleSpanProcessor(memory)];
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT)
  spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
const tracerProvider = new BasicTracerProvider({ spanProcessors });
const contextManager = new AsyncLocalStorageContextManager();
context.setGlobalContextManager(contextManager.enable());

// ESM: the instrumentation cannot hook the import, so it patches the module it is given.
new LangChainInstrumentation({ tracerProvider }).manuallyInstrument(CallbackManagerModule);

const sim = await startSimulator({ timeScale: 100, seed: 11, coldStart: false, latency: false });
const governor = createGovernor({ name: "openinference-example", tracerProvider, headerTimeScale: 100 });
// `baseUrl` sends Hugging Face's hosts to the simulator; against the real one, drop it and
// pass your token.
const model = new ChatHuggingFace({ model: MODEL, governor, apiKey: "hf_test_pro", baseUrl: sim.url });

const getWeather = tool(async ({ city }) => `Sunny, 21°C in ${city}`, {
  name: "get_weather",
  description: "The current weather of a city",
  schema: z.object({ city: z.string().describe("The city") }),
});

const names = Array.from({ length: AGENTS }, (_, i) => `forecaster-${i}`);
await Promise.all(
  names.map((name, i) =>
    createAgent({ model, tools: [getWeather], name }).invoke({
      messages: [{ role: "user", content: `What is the weather in City${i}?` }],
    }),
  ),
);
// OpenInference ends its spans in LangChain's background callback queue.
await awaitAllCallbacks();

const spans = memory.getFinishedSpans();
const idOf = (span) => span.spanContext().spanId;
const traceOf = (span) => span.spanContext().traceId;
const parentOf = (span) => span.parentSpanContext?.spanId;
const isCall = (span) =>
  span.instrumentationScope.name === "@swarmgate/core" && span.name.startsWith("chat ");
const byId = new Map(spans.map((span) => [idOf(span), span]));
const byTrace = new Map();
for (const span of spans) byTrace.set(traceOf(span), [...(byTrace.get(traceOf(span)) ?? []), span]);

let ok = true;
for (const [traceId, members] of byTrace) {
  const roots = members.filter((span) => parentOf(span) === undefined);
  const orphans = members.filter((span) => parentOf(span) !== undefined && !byId.has(parentOf(span)));
  const calls = members.filter(isCall);
  const nested = calls.filter((call) => byId.get(parentOf(call))?.attributes[KIND] === "LLM");
  if (roots.length !== 1 || orphans.length > 0 || nested.length !== calls.length) ok = false;
  console.log(
    `trace ${traceId}: ${members.length} spans, root ${roots.map((span) => span.name).join(", ") || "(none)"}, ` +
      `${nested.length} of ${calls.length} swarmgate call spans under OpenInference LLM spans` +
      (orphans.length > 0 ? `, ${orphans.length} orphaned` : ""),
  );
}

// An agent run's spans: OpenInference's root span named after the agent, and the governor's
// call spans that carry its name (their HTTP attempt spans sit under them).
let split = 0;
for (const name of names) {
  const own = spans.filter(
    (span) =>
      (parentOf(span) === undefined && span.name === name) ||
      (isCall(span) && span.attributes[AGENT_NAME] === name),
  );
  const traces = new Set(own.map(traceOf));
  if (traces.size !== 1) {
    split++;
    console.log(`${name}: spans in ${traces.size} traces`);
  }
}
if (split > 0 || byTrace.size !== names.length) ok = false;
console.log(
  `${names.length} agent runs, ${byTrace.size} traces, ${split} runs split over more than one trace: ` +
    (ok ? "one tree per agent run" : "NOT one tree per agent run"),
);

await governor.close();
await sim.close();
// Flushes the OTLP exporter; a collector that cannot be reached does not change the verdict.
await tracerProvider.shutdown().catch((error) => console.error(`OTLP export failed: ${error.message}`));
contextManager.disable();
process.exitCode = ok ? 0 : 1;
