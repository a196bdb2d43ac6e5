// LangChain's own ChatOpenAI, unmodified and ungoverned, pointed at the simulator's router
// URL (`${sim.url}/v1`), the way people use Hugging Face from LangChain JS: chat, streams,
// tools with tool_choice, structured output by JSON schema, and createAgent's responseFormat.
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { createAgent } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
let sim: Simulator;

// The simulator's realistic default: no option that turns on an invented behaviour.
beforeAll(async () => {
  sim = await startSimulator({ seed: 21, coldStart: false, latency: false, spike: false });
});
afterAll(() => sim.close());

const model = (options: { model?: string; apiKey?: string } = {}) =>
  new ChatOpenAI({
    model: options.model ?? LLAMA,
    apiKey: options.apiKey ?? "hf_test_pro",
    maxRetries: 0,
    configuration: { baseURL: `${sim.url}/v1` },
  });

const getWeather = tool(async ({ city }) => `Rain in ${city}, 12 C`, {
  name: "get_weather",
  description: "The current weather of a city",
  schema: z.object({ city: z.string() }),
});
const Forecast = z.object({
  city: z.string(),
  summary: z.string(),
  days: z.number().int().min(1),
  unit: z.enum(["celsius", "fahrenheit"]),
});

describe("ChatOpenAI on the simulator's router URL", () => {
  it("chats and streams", async () => {
    const reply = await model().invoke("Hello");
    expect(reply.content).toBe(`Simulated reply from ${LLAMA}. You said: "Hello"`);
    let streamed = "";
    for await (const chunk of await model().stream("Hello")) streamed += chunk.content;
    expect(streamed).toBe(reply.content);
    const cheapest = await model({ model: `${LLAMA}:cheapest` }).invoke("Hi");
    expect(cheapest.response_metadata.model_name ?? cheapest.response_metadata.model).toBe(LLAMA);
  });

  it("forces a tool with tool_choice required, even after a tool result", async () => {
    const bound = model().bindTools([getWeather], { tool_choice: "required" });
    const first = await bound.invoke("What is the weather in Oslo?");
    expect(first.tool_calls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Oslo" } });
    const again = await bound.invoke([
      { role: "user", content: "What is the weather in Oslo?" },
      first,
      { role: "tool", tool_call_id: first.tool_calls?.[0]?.id ?? "", content: "Rain" },
    ]);
    expect(again.tool_calls?.[0]?.name).toBe("get_weather");
  });

  it("returns structured output that validates against the schema (withStructuredOutput jsonSchema)", async () => {
    const structured = model().withStructuredOutput(Forecast, { method: "jsonSchema", name: "forecast" });
    const forecast = await structured.invoke('Forecast "Bergen" for 3 days in celsius');
    expect(Forecast.parse(forecast)).toEqual({
      city: "Bergen",
      summary: expect.any(String),
      days: 3,
      unit: "celsius",
    });
    const json = await model()
      .withStructuredOutput(Forecast, { method: "functionCalling" })
      .invoke("Oslo, 2 days");
    expect(Forecast.safeParse(json).success).toBe(true);
  });

  it("gives createAgent's responseFormat a structured response after the tool loop", async () => {
    const agent = createAgent({ model: model(), tools: [getWeather], responseFormat: Forecast });
    const result = await agent.invoke({
      messages: [{ role: "user", content: "What is the weather in Oslo?" }],
    });
    expect(Forecast.safeParse(result.structuredResponse).success).toBe(true);
    const toolMessages = result.messages.filter((m) => m.getType() === "tool");
    expect(toolMessages.map((m) => m.content)).toContain("Rain in Oslo, 12 C");
  });

  it("surfaces Hugging Face's 401 and flat 402 as errors", async () => {
    await expect(model({ apiKey: "hf_nobody" }).invoke("Hi")).rejects.toMatchObject({ status: 401 });
    const poor = await startSimulator({ latency: false, spike: false, monthlyCreditsUsd: { free: 0 } });
    try {
      const broke = new ChatOpenAI({
        model: LLAMA,
        apiKey: "hf_test_free",
        maxRetries: 0,
        configuration: { baseURL: `${poor.url}/v1` },
      });
      await expect(broke.invoke("Hi")).rejects.toMatchObject({ status: 402 });
    } finally {
      await poor.close();
    }
  });
});
