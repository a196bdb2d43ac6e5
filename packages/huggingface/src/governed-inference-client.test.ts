import { inspect } from "node:util";
import {
  InferenceClient,
  InferenceClientHubApiError,
  InferenceClientProviderApiError,
  setLogger,
} from "@huggingface/inference";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createGovernor, type Governor, type GovernorOptions, isBudgetExceededError } from "@swarmgate/core";
import { DEFAULT_CATALOGUE, type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isHuggingFaceApiError } from "./errors.js";
import { GovernedInferenceClient } from "./governed-inference-client.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const SECRET = "hf_RedactMe0123456789abcdef";
const say = (content: string) => [{ role: "user" as const, content }];
let sim: Simulator;
const governors: Governor[] = [];

function governed(options: GovernorOptions = {}, token = "hf_test_pro") {
  const governor = createGovernor({ retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...options });
  governors.push(governor);
  return { governor, hf: new GovernedInferenceClient(token, { governor, baseUrl: sim.url }) };
}

beforeAll(async () => {
  const quiet = () => {};
  setLogger({ debug: quiet, info: quiet, log: quiet, warn: quiet, error: quiet });
  sim = await startSimulator({
    latency: false,
    coldStart: false,
    spike: false,
    tokensPerSecond: Number.POSITIVE_INFINITY,
    tokens: {
      hf_test_pro: { tier: "pro", orgs: ["acme"] },
      hf_test_poor: { tier: "pro", monthlyCreditsUsd: 0 },
      [SECRET]: { tier: "pro" },
    },
    orgs: { acme: { tier: "team", seats: 2 } },
    catalogue: [
      ...DEFAULT_CATALOGUE,
      {
        id: "acme/coalesce-7B",
        task: "text-generation",
        providers: [
          {
            provider: "hf-inference",
            providerId: "acme/coalesce-7B",
            inputPricePerMillion: 0.1,
            outputPricePerMillion: 0.1,
            tokensPerSecond: 100,
          },
        ],
      },
    ],
  });
});
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});
afterAll(() => sim.close());

describe("GovernedInferenceClient", () => {
  it("is an InferenceClient and answers exactly what the plain client answers", async () => {
    const { hf, governor } = governed();
    const plain = new InferenceClient("hf_test_pro", {
      fetch: (input, init) =>
        fetch(String(input).replace(/^https:\/\/(router\.)?huggingface\.co/, sim.url), init),
    });
    expect(hf).toBeInstanceOf(InferenceClient);
    expect(hf.endpoint("https://x.endpoints.huggingface.cloud")).toBeInstanceOf(GovernedInferenceClient);
    const strip = ({ id: _id, created: _c, ...rest }: { id: string; created: number }) => rest;
    const args = { model: LLAMA, messages: say("Same answer?"), max_tokens: 30 };
    expect(strip(await hf.chatCompletion(args))).toEqual(strip(await plain.chatCompletion(args)));
    const gen = { model: "openai-community/gpt2", inputs: "Once upon", parameters: { max_new_tokens: 5 } };
    expect(await hf.textGeneration(gen)).toEqual(await plain.textGeneration(gen));
    const emb = { model: "sentence-transformers/all-MiniLM-L6-v2", inputs: ["a", "b"] };
    expect(await hf.featureExtraction(emb)).toEqual(await plain.featureExtraction(emb));
    const stats = governor.stats();
    // Three task calls and the Hub look-ups of the two models that were not cached yet.
    expect(stats.outcomes.success).toBe(5);
    expect(stats.outcomes.error).toBe(0);
    expect(stats.creditsSpentUsd).toBeGreaterThan(0);
  });

  it("streams, holds the slot until the end, records usage and time to first chunk", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new TestReader();
    const { hf, governor } = governed({
      tracerProvider,
      meterProvider: new MeterProvider({ readers: [reader] }),
    });
    let text = "";
    for await (const chunk of hf.chatCompletionStream({
      model: LLAMA,
      provider: "together",
      messages: say("Stream"),
    })) {
      text += chunk.choices[0]?.delta.content ?? "";
      expect(governor.stats().concurrency?.inFlight).toBe(1);
    }
    expect(text).toContain('You said: "Stream"');
    expect(governor.stats().concurrency?.inFlight).toBe(0);
    const call = exporter.getFinishedSpans().find((s) => s.name === `chat ${LLAMA}`);
    expect(call?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(exporter.getFinishedSpans().some((s) => s.name === "POST")).toBe(true);
    const metrics = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const ttfc = metrics.find((m) => m.descriptor.name === "gen_ai.client.operation.time_to_first_chunk");
    expect((ttfc?.dataPoints[0]?.value as { count: number } | undefined)?.count).toBe(1);
  });

  it("streams textGenerationStream with the slot held until the end and usage accounted", async () => {
    const governor = createGovernor({ concurrency: { initial: 1, max: 1, rampMs: 0 } });
    governors.push(governor);
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor,
      baseUrl: sim.url,
      priceBook: { "openai-community/gpt2": { inputPerMTokUsd: 1, outputPerMTokUsd: 2 } },
    });
    let text = "";
    for await (const chunk of hf.textGenerationStream({
      model: "openai-community/gpt2",
      inputs: "Once upon a time",
      parameters: { max_new_tokens: 8 },
    })) {
      text += (chunk as unknown as { choices: { text: string }[] }).choices[0]?.text ?? "";
      expect(governor.stats().concurrency?.inFlight).toBe(1);
    }
    expect(text.length).toBeGreaterThan(0);
    expect(governor.stats().concurrency?.inFlight).toBe(0);
    expect(governor.stats().outcomes.success).toBe(1);
    // The last event's usage (8 completion tokens at $2 per million, plus the prompt's).
    expect(governor.stats().creditsSpentUsd).toBeGreaterThan(8 * 2e-6);
  });

  it("gives HTTP errors a top-level status and keeps the client's error as cause", async () => {
    const { hf, governor } = governed();
    const missing = await hf.chatCompletion({ model: "nobody/nothing", messages: say("x") }).catch((e) => e);
    expect(isHuggingFaceApiError(missing)).toBe(true);
    expect(missing).toMatchObject({
      status: 404,
      code: "upstream",
      source: "provider",
      httpResponse: { status: 404 },
    });
    expect(missing.cause).toBeInstanceOf(InferenceClientProviderApiError);
    expect(missing.requestId).toMatch(/^sim-/);
    const hub = await hf.textGeneration({ model: "nobody/nothing", inputs: "x" }).catch((e) => e);
    expect(hub).toMatchObject({ status: 404, source: "hub" });
    expect(hub.cause).toBeInstanceOf(InferenceClientHubApiError);
    const invalid = await hf
      .chatCompletion({ model: LLAMA, messages: say("x"), max_tokens: -1 })
      .catch((e) => e);
    expect(invalid.status).toBe(422);
    expect(governor.stats().retries).toEqual({});
  });

  it("turns 402 into BudgetExceededError and does not retry it", async () => {
    const { hf, governor } = governed({}, "hf_test_poor");
    const before = sim.stats().tokens["hf_…poor"]?.buckets.inference?.requests ?? 0;
    const error = await hf.chatCompletion({ model: LLAMA, messages: say("x") }).catch((e) => e);
    expect(isBudgetExceededError(error)).toBe(true);
    expect(error.details.status).toBe(402);
    expect(isHuggingFaceApiError(error.cause)).toBe(true);
    expect(sim.stats().tokens["hf_…poor"]?.buckets.inference?.requests).toBe(before + 1);
    expect(governor.stats().attempts).toBe(1);
  });

  it("shares one Hub look-up among 50 concurrent first calls for a model", async () => {
    const { hf } = governed({ concurrency: { initial: 50, max: 50, rampMs: 0 } });
    const apiBefore = Object.values(sim.stats().tokens).reduce(
      (n, t) => n + (t.buckets.api?.requests ?? 0),
      0,
    );
    const outs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => hf.textGeneration({ model: "acme/coalesce-7B", inputs: `n${i}` })),
    );
    expect(outs).toHaveLength(50);
    const apiAfter = Object.values(sim.stats().tokens).reduce(
      (n, t) => n + (t.buckets.api?.requests ?? 0),
      0,
    );
    expect(apiAfter - apiBefore).toBe(1);
  });

  it("budgets per organization with billTo and governorFor", async () => {
    const { governor } = governed();
    const org = createGovernor({ name: "acme", scope: "org:acme", budget: { monthlyUsd: 1 } });
    governors.push(org);
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor,
      governorFor: (billTo) => (billTo === "acme" ? org : governor),
      baseUrl: sim.url,
    });
    await hf.chatCompletion({ model: LLAMA, messages: say("billed to acme") }, { billTo: "acme" });
    expect(org.stats().outcomes.success).toBe(1);
    expect(governor.stats().calls.started).toBe(0);
    expect((await org.snapshot()).credits?.spentUsd).toBeGreaterThan(0);
    expect(sim.stats().orgs.acme?.creditsSpentUsd).toBeGreaterThan(0);
  });

  it("never shows the token in spans, errors or stats", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { hf, governor } = governed({ tracerProvider }, SECRET);
    await hf.chatCompletion({ model: LLAMA, messages: say(`my token is ${SECRET}`) });
    const errors = await Promise.all([
      hf.chatCompletion({ model: "nobody/nothing", messages: say(SECRET) }).catch((e) => e),
      hf.textGeneration({ model: "nobody/nothing", inputs: "x" }).catch((e) => e),
    ]);
    const seen = [
      JSON.stringify(exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events, s.status])),
      ...errors.map((e) => inspect(e, { depth: 8 })),
      ...errors.map((e) => String(e.message)),
      JSON.stringify(governor.stats()),
      inspect(hf, { depth: 4 }),
    ];
    for (const text of seen) expect(text).not.toContain(SECRET);
  });

  it("rejects bad options at construction with a TypeError", () => {
    const governor = createGovernor();
    governors.push(governor);
    expect(() => new GovernedInferenceClient("hf_x", {} as never)).toThrow(
      /Expected `governor` to be a Governor/,
    );
    expect(() => new GovernedInferenceClient("hf_x", { governor, retry_on_error: true })).toThrow(
      /Expected `retry_on_error` to be false/,
    );
    expect(() => new GovernedInferenceClient("hf_x", { governor, baseUrl: "nope" })).toThrow(TypeError);
    expect(() => new GovernedInferenceClient("hf_x", { governor, defaultOutputTokens: -1 })).toThrow(
      /Expected `defaultOutputTokens` to be a non-negative integer/,
    );
    expect(() => new GovernedInferenceClient("hf_x", { governor, priceBook: { m: {} } as never })).toThrow(
      TypeError,
    );
  });
});
