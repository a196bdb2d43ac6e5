import { describe, expect, it } from "vitest";
import type { ChatMessage, JsonSchema, ToolDefinition } from "./chat-types.js";
import { valueForSchema, valueSource } from "./schema-value.js";
import { scriptReply } from "./scripted-model.js";

const model = "meta-llama/Llama-3.1-8B-Instruct";
const tool = (name: string, properties: JsonSchema["properties"] = {}): ToolDefinition => ({
  type: "function",
  function: { name, parameters: { type: "object", properties } },
});
const weather = tool("get_weather", { location: { type: "string" } });
const answer = tool("final_answer", { city: { type: "string" }, forecast: { type: "string" } });
const ask: ChatMessage = { role: "user", content: "What is the weather in Paris?" };
const afterWeather: ChatMessage[] = [
  ask,
  {
    role: "assistant",
    content: null,
    tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
  },
  { role: "tool", tool_call_id: "call_1", content: "sunny, 21 C" },
];

describe("tool_choice at every turn", () => {
  it("answers in text after tool results with auto", () => {
    const reply = scriptReply({
      model,
      messages: afterWeather,
      tools: [weather, answer],
      toolChoice: "auto",
    });
    expect(reply).toMatchObject({
      kind: "text",
      content: "Here is what I found: get_weather returned sunny, 21 C.",
    });
  });

  it("calls a tool not yet called after tool results with required", () => {
    const reply = scriptReply({
      model,
      messages: afterWeather,
      tools: [weather, answer],
      toolChoice: "required",
    });
    expect(reply.kind).toBe("tool_calls");
    if (reply.kind !== "tool_calls") return;
    expect(reply.toolCalls[0]?.function.name).toBe("final_answer");
    expect(JSON.parse(reply.toolCalls[0]?.function.arguments ?? "")).toEqual({
      city: "Paris",
      forecast: "What is the weather in Paris? sunny, 21 C",
    });
  });

  it("calls the named function on the first turn and after results", () => {
    const named = { type: "function", function: { name: "get_weather" } } as const;
    for (const messages of [[ask], afterWeather]) {
      const reply = scriptReply({ model, messages, tools: [answer, weather], toolChoice: named });
      expect(reply.kind === "tool_calls" && reply.toolCalls[0]?.function.name).toBe("get_weather");
    }
  });

  it("never calls a tool with none", () => {
    expect(scriptReply({ model, messages: [ask], tools: [weather], toolChoice: "none" }).kind).toBe("text");
  });
});

describe("response_format", () => {
  it("wraps the text in a JSON object for json_object", () => {
    const reply = scriptReply({ model, messages: [ask], responseFormat: { type: "json_object" } });
    expect(reply.kind === "text" && JSON.parse(reply.content)).toEqual({
      answer: `Simulated reply from ${model}. You said: "What is the weather in Paris?"`,
    });
  });

  it("answers a value of the schema for json_schema", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: {
        city: { type: "string", maxLength: 5 },
        days: { type: "integer", minimum: 1 },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
        tags: { type: "array", items: { type: "string" }, minItems: 2 },
        ok: { type: "boolean" },
        note: { anyOf: [{ type: "string" }, { type: "null" }] },
      },
      required: ["city", "days", "unit", "tags", "ok", "note"],
      additionalProperties: false,
    } as JsonSchema;
    const messages: ChatMessage[] = [{ role: "user", content: 'Forecast "Lyon" for 3 days in fahrenheit' }];
    const reply = scriptReply({
      model,
      messages,
      responseFormat: { type: "json_schema", json_schema: { schema } },
    });
    expect(reply.kind === "text" && JSON.parse(reply.content)).toEqual({
      city: "Lyon",
      days: 3,
      unit: "fahrenheit",
      tags: ['Forecast "Lyon" for 3 days in fahrenheit', 'Forecast "Lyon" for 3 days in fahrenheit'],
      ok: true,
      note: 'Forecast "Lyon" for 3 days in fahrenheit',
    });
  });
});

describe("valueForSchema", () => {
  it("follows local $refs, takes consts and fits numbers into their bounds", () => {
    const schema = {
      type: "object",
      properties: { item: { $ref: "#/$defs/item" }, kind: { const: "x" } },
      $defs: { item: { type: "object", properties: { n: { type: "number", maximum: 2 } } } },
    } as JsonSchema;
    expect(valueForSchema(schema, valueSource("pick 7"))).toEqual({ item: { n: 2 }, kind: "x" });
  });

  it("stops at a depth limit on recursive schemas", () => {
    const schema = { type: "object", properties: { next: { $ref: "#" } } } as JsonSchema;
    expect(JSON.stringify(valueForSchema(schema, valueSource("")))).toBe(
      '{"next":{"next":{"next":{"next":{"next":{"next":{"next":{"next":{}}}}}}}}}',
    );
  });
});
