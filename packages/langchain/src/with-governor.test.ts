import type { AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { createGovernor, type Governor, isBudgetExceededError } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";
import { createAgent } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { withGovernor } from "./with-governor.js";

// The retries of LangChain's AsyncCaller (a protected field).
const maxRetriesOf = (model: object) => (model as { caller?: { maxRetries?: number } }).caller?.maxRetries;

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
let sim: Simulator;
let governor: Governor;

const inferenceRequests = () => sim.stats().tokens["hf_…_pro"]?.buckets.inference?.requests ?? 0;

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 100, seed: 5, coldStart: false, latency: false });
  governor = createGovernor({
    name: "with-governor-test",
    retry: { maxAttempts: 3, baseDelayMs: 1 },
    headerTimeScale: 100,
  });
});
afterAll(async () => {
  await governor.close();
  await sim.close();
});

// ChatOpenAI on the simulator's OpenAI-compatible router, its requests through governedFetch.
const openai = (maxRetries = 6) =>
  new ChatOpenAI({
    model: LLAMA,
    apiKey: "hf_test_pro",
    maxRetries,
    configuration: { baseURL: `${sim.url}/v1`, fetch: governedFetch(governor) },
  });

describe("withGovernor(ChatOpenAI)", () => {
  it("makes each model call one call of the governor, with LangChain's retries off", async () => {
    const model = withGovernor(openai(), governor);
    expect(maxRetriesOf(model)).toBe(0);
    expect(maxRetriesOf((model as unknown as { completions: object }).completions)).toBe(0);
    const started = governor.stats().calls.started;
    const reply = await model.invoke("Hello");
    expect(reply.content).toBe(`Simulated reply from ${LLAMA}. You said: "Hello"`);
    // The SDK's request joined the model's call instead of being a call of its own.
    expect(governor.stats().calls.started - started).toBe(1);
  });

  it("runs a createAgent tool loop, bound tools governed too", async () => {
    const getWeather = tool(async ({ city }) => `Rain in ${city}`, {
      name: "get_weather",
      description: "The current weather of a city",
      schema: z.object({ city: z.string() }),
    });
    const model = withGovernor(openai(), governor);
    const started = governor.stats().calls.started;
    const before = inferenceRequests();
    const agent = createAgent({ model, tools: [getWeather], name: "openai-agent" });
    const state = await agent.invoke({
      messages: [{ role: "user", content: "What is the weather in Bergen?" }],
    });
    expect(state.messages.at(-1)?.content).toBe("Here is what I found: get_weather returned Rain in Bergen.");
    expect(inferenceRequests() - before).toBe(2);
    expect(governor.stats().calls.started - started).toBe(2);
  });

  it("streams, holding the slot until the stream ends", async () => {
    const model = withGovernor(openai(), governor);
    const started = governor.stats().calls.started;
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await model.stream("Stream it")) whole = whole ? whole.concat(chunk) : chunk;
    expect(whole?.content).toBe(`Simulated reply from ${LLAMA}. You said: "Stream it"`);
    expect(governor.stats().calls.started - started).toBe(1);
    expect(governor.stats().concurrency?.inFlight).toBe(0);
  });

  it("gives the governor's refusals a status LangChain classifies", async () => {
    const tight = createGovernor({ name: "tight", budget: { monthlyUsd: 0.0001 } });
    const model = withGovernor(
      new ChatOpenAI({
        model: LLAMA,
        apiKey: "hf_test_pro",
        configuration: { baseURL: `${sim.url}/v1`, fetch: governedFetch(tight) },
      }),
      tight,
    );
    const before = inferenceRequests();
    const error = await model.invoke("over budget").catch((e: unknown) => e);
    expect(isBudgetExceededError(error)).toBe(true);
    expect(error).toMatchObject({ status: 402 });
    expect(inferenceRequests()).toBe(before);
    await tight.close();
  });

  it("is idempotent for one governor and refuses a second one", () => {
    const model = withGovernor(openai(), governor);
    expect(withGovernor(model, governor)).toBe(model);
    const other = createGovernor({ name: "other" });
    expect(() => withGovernor(model, other)).toThrow(TypeError);
    const hf = new ChatHuggingFace({ model: LLAMA, governor, baseUrl: sim.url });
    expect(withGovernor(hf, governor)).toBe(hf);
    expect(() => withGovernor(hf, other)).toThrow(TypeError);
  });
});
