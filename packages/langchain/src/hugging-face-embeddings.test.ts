import { setLogger } from "@huggingface/inference";
import { createGovernor, type Governor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HuggingFaceInferenceEmbeddings } from "./hugging-face-embeddings.js";
import { HuggingFaceInference } from "./hugging-face-inference.js";

// The retries of LangChain's AsyncCaller (a protected field).
const maxRetriesOf = (model: object) => (model as { caller?: { maxRetries?: number } }).caller?.maxRetries;

let sim: Simulator;
let governor: Governor;

const inferenceRequests = () => sim.stats().tokens["hf_…_pro"]?.buckets.inference?.requests ?? 0;

beforeAll(async () => {
  setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });
  sim = await startSimulator({ timeScale: 100, seed: 7, coldStart: false, latency: false });
  governor = createGovernor({ name: "embeddings-test", headerTimeScale: 100 });
});
afterAll(async () => {
  await governor.close();
  await sim.close();
});

describe("HuggingFaceInferenceEmbeddings", () => {
  it("embeds 100 texts in exactly 4 requests of at most 32, in order", async () => {
    const embeddings = new HuggingFaceInferenceEmbeddings({
      governor,
      apiKey: "hf_test_pro",
      baseUrl: sim.url,
      batchSize: 32,
    });
    const texts = Array.from({ length: 100 }, (_, i) => `document number ${i}`);
    const before = inferenceRequests();
    const vectors = await embeddings.embedDocuments(texts);
    expect(inferenceRequests() - before).toBe(4);
    expect(vectors).toHaveLength(100);
    expect(vectors[0]).toHaveLength(384);
    // Batching keeps each text with its own vector.
    expect(await embeddings.embedQuery(texts[57]!)).toEqual(vectors[57]);
  });

  it("validates batchSize at construction", () => {
    expect(() => new HuggingFaceInferenceEmbeddings({ governor, batchSize: 0 })).toThrow(TypeError);
  });
});

describe("HuggingFaceInference", () => {
  it("streams through textGenerationStream: the same text as invoke, one chunk per piece", async () => {
    const llm = new HuggingFaceInference({ governor, apiKey: "hf_test_pro", baseUrl: sim.url, maxTokens: 8 });
    const whole = await llm.invoke("In a galaxy far away");
    const pieces: string[] = [];
    for await (const piece of await llm.stream("In a galaxy far away")) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join("")).toBe(whole);
    expect(governor.stats().concurrency?.inFlight ?? 0).toBe(0);
  });

  it("generates text without the prompt, governed, LangChain's retries off", async () => {
    const llm = new HuggingFaceInference({ governor, apiKey: "hf_test_pro", baseUrl: sim.url, maxTokens: 8 });
    expect(maxRetriesOf(llm)).toBe(0);
    const before = governor.stats().calls.started;
    const text = await llm.invoke("Once upon a time");
    expect(typeof text).toBe("string");
    expect(text.length).toBeGreaterThan(0);
    expect(text.startsWith("Once upon a time")).toBe(false);
    // The call, and the client's Hub look-up of the model's providers as its own call.
    expect(governor.stats().calls.started - before).toBeGreaterThanOrEqual(1);
  });
});
