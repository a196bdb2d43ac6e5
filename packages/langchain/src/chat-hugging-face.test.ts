import { setLogger } from "@huggingface/inference";
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createGovernor, type Governor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { createAgent } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { fromHuggingFaceCompletion, parseToolCalls, toHuggingFaceMessages } from "./message-conversion.js";

// The retries of LangChain's AsyncCaller (a protected field).
const maxRetriesOf = (model: object) => (model as { caller?: { maxRetries?: number } }).caller?.maxRetries;

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
let sim: Simulator;
let governor: Governor;

const inferenceRequests = () => sim.stats().tokens["hf_…_pro"]?.buckets.inference?.requests ?? 0;

const getWeather = tool(async ({ city }) => `Sunny, 21°C in ${city}`, {
  name: "get_weather",
  description: "The current weather of a city",
  schema: z.object({ city: z.string() }),
});

beforeAll(async () => {
  setLogger({ debug() {}, info() {}, log() {}, warn: console.warn, error: console.error });
  sim = await startSimulator({ timeScale: 100, seed: 3, coldStart: false, latency: false });
  governor = createGovernor({
    name: "chat-hugging-face-test",
    retry: { maxAttempts: 3, baseDelayMs: 1 },
    headerTimeScale: 100,
  });
});
afterAll(async () => {
  await governor.close();
  await sim.close();
});

const chat = (fields: Partial<ConstructorParameters<typeof ChatHuggingFace>[0]> = {}) =>
  new ChatHuggingFace({ model: LLAMA, governor, apiKey: "hf_test_pro", baseUrl: sim.url, ...fields });

describe("message conversion", () => {
  it("converts every message type, tool calls included", () => {
    const out = toHuggingFaceMessages([
      new SystemMessage("Be brief."),
      new HumanMessage("Weather in Paris?"),
      new AIMessage({
        content: "",
        tool_calls: [{ id: "call_1", name: "get_weather", args: { city: "Paris" } }],
      }),
      new ToolMessage({ content: "Sunny", tool_call_id: "call_1" }),
    ]);
    expect(out).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: "tool", content: "Sunny", tool_call_id: "call_1" },
    ]);
  });

  it("parses tool call arguments as text or object and keeps malformed ones as invalid", () => {
    const { toolCalls, invalidToolCalls } = parseToolCalls([
      { id: "a", function: { name: "f", arguments: '{"x":1}' } },
      { id: "b", function: { name: "g", arguments: { y: 2 } } },
      { id: "c", function: { name: "h", arguments: "{not json" } },
    ]);
    expect(toolCalls).toEqual([
      { id: "a", name: "f", args: { x: 1 }, type: "tool_call" },
      { id: "b", name: "g", args: { y: 2 }, type: "tool_call" },
    ]);
    expect(invalidToolCalls).toMatchObject([
      { id: "c", name: "h", args: "{not json", type: "invalid_tool_call" },
    ]);
  });

  it("turns usage into usage_metadata", () => {
    const generation = fromHuggingFaceCompletion({
      id: "x",
      created: 0,
      model: LLAMA,
      system_fingerprint: "",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "hi" } }],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    });
    expect((generation.message as AIMessage).usage_metadata).toEqual({
      input_tokens: 5,
      output_tokens: 1,
      total_tokens: 6,
    });
  });
});

describe("ChatHuggingFace against the simulator", () => {
  it("answers, with usage metadata, and switches LangChain's retries off", async () => {
    const model = chat({ maxRetries: 6 });
    expect(maxRetriesOf(model)).toBe(0);
    const reply = await model.invoke("Hello there");
    expect(reply.content).toBe(`Simulated reply from ${LLAMA}. You said: "Hello there"`);
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(reply.response_metadata.model_provider).toBe("huggingface");
  });

  it("runs a createAgent tool loop: model → tool call → tool → answer", async () => {
    const before = inferenceRequests();
    const agent = createAgent({ model: chat(), tools: [getWeather], name: "forecaster" });
    const state = await agent.invoke({
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    const [, call, result, answer] = state.messages;
    expect(AIMessage.isInstance(call) && call.tool_calls?.[0]).toMatchObject({
      name: "get_weather",
      args: { city: "Paris" },
    });
    expect(result?.content).toBe("Sunny, 21°C in Paris");
    expect(answer?.content).toBe("Here is what I found: get_weather returned Sunny, 21°C in Paris.");
    expect(inferenceRequests() - before).toBe(2);
  });

  it("streams through .stream(): text chunks, then the usage", async () => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await chat().stream("Stream this please")) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    const whole = chunks.reduce((a, b) => a.concat(b));
    expect(whole.content).toBe(`Simulated reply from ${LLAMA}. You said: "Stream this please"`);
    expect(whole.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(governor.stats().concurrency?.inFlight).toBe(0);
  });

  it("streams a tool call as tool call chunks", async () => {
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await chat().bindTools([getWeather]).stream("Weather in Oslo?"))
      whole = whole ? whole.concat(chunk) : chunk;
    expect(whole?.tool_calls).toMatchObject([{ name: "get_weather", args: { city: "Oslo" } }]);
  });

  it("streams an agent's messages (streamMode messages)", async () => {
    const agent = createAgent({ model: chat(), tools: [getWeather], name: "streamer" });
    const tokens: string[] = [];
    for await (const [message] of await agent.stream(
      { messages: [{ role: "user", content: "What is the weather in Rome?" }] },
      { streamMode: "messages" },
    ))
      if (AIMessageChunk.isInstance(message) && typeof message.content === "string")
        tokens.push(message.content);
    expect(tokens.join("")).toContain("Here is what I found: get_weather returned Sunny, 21°C in Rome.");
    expect(tokens.length).toBeGreaterThan(5);
  });

  it("gives structured output from a zod schema (forced tool call)", async () => {
    const schema = z.object({ city: z.string(), days: z.number() });
    const forecast = await chat()
      .withStructuredOutput(schema, { name: "forecast" })
      .invoke('Forecast for "Lima", 3 days');
    expect(forecast).toEqual({ city: "Lima", days: 3 });
    const raw = await chat().withStructuredOutput(schema, { includeRaw: true }).invoke('"Kyiv" for 5 days');
    expect(raw.parsed).toEqual({ city: "Kyiv", days: 5 });
  });

  it("throws upstream errors with a top-level status, not retried", async () => {
    const before = inferenceRequests();
    const error = await chat({ temperature: 5 })
      .invoke("Too hot")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422 });
    expect(inferenceRequests() - before).toBe(1);
  });

  it("validates its options at construction", () => {
    expect(() => chat({ model: "" })).toThrow(TypeError);
    expect(() => chat({ governor: {} as Governor })).toThrow(/governor/);
  });
});
