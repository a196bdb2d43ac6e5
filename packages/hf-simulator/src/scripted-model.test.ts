import { describe, expect, it } from "vitest";
import type { ChatMessage, ToolDefinition } from "./chat-types.js";
import { scriptReply } from "./scripted-model.js";
import { buildToolArguments, subjectPhrase } from "./tool-arguments.js";

const weather: ToolDefinition = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
    },
  },
};
const calculator: ToolDefinition = {
  type: "function",
  function: {
    name: "calculator",
    parameters: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "integer" }, verbose: { type: "boolean" } },
    },
  },
};
const model = "meta-llama/Llama-3.1-8B-Instruct";

describe("scriptReply", () => {
  it("echoes the user without tools", () => {
    const reply = scriptReply({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(reply).toEqual({
      kind: "text",
      content: `Simulated reply from ${model}. You said: "Hi"`,
      finishReason: "stop",
    });
  });

  it("cuts at max_tokens with finish reason length", () => {
    const reply = scriptReply({ model, messages: [{ role: "user", content: "Hi" }], maxTokens: 2 });
    expect(reply).toEqual({ kind: "text", content: "Simulate", finishReason: "length" });
  });

  it("calls the tool whose name matches a word of the user message", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "Please calculate 12.5 plus 30" }];
    const reply = scriptReply({ model, messages, tools: [weather, calculator] });
    if (reply.kind !== "tool_calls") throw new Error("expected tool calls");
    expect(reply.toolCalls[0]?.function).toEqual({
      name: "calculator",
      arguments: '{"a":12.5,"b":30,"verbose":false}',
    });
    expect(reply.toolCalls[0]?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(scriptReply({ model, messages, tools: [weather, calculator] })).toEqual(reply);
  });

  it("falls back to the first tool, honours a forced tool and tool_choice none", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "What now?" }];
    const first = scriptReply({ model, messages, tools: [weather, calculator] });
    expect(first.kind === "tool_calls" && first.toolCalls[0]?.function.name).toBe("get_weather");
    const forced = scriptReply({
      model,
      messages,
      tools: [weather, calculator],
      toolChoice: { type: "function", function: { name: "calculator" } },
    });
    expect(forced.kind === "tool_calls" && forced.toolCalls[0]?.function.name).toBe("calculator");
    expect(scriptReply({ model, messages, tools: [weather], toolChoice: "none" }).kind).toBe("text");
  });

  it("answers with the tool result once it follows the user turn", () => {
    const call = {
      id: "call_1",
      type: "function" as const,
      function: { name: "get_weather", arguments: "{}" },
    };
    const messages: ChatMessage[] = [
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: "call_1", content: "21°C and sunny" },
    ];
    expect(scriptReply({ model, messages, tools: [weather] })).toEqual({
      kind: "text",
      content: "Here is what I found: get_weather returned 21°C and sunny.",
      finishReason: "stop",
    });
    // A new user turn starts a new tool round.
    const next = scriptReply({
      model,
      messages: [...messages, { role: "user", content: "And Rome?" }],
      tools: [weather],
    });
    expect(next.kind).toBe("tool_calls");
  });
});

describe("buildToolArguments", () => {
  it("extracts strings: enum named, quoted, phrase after a preposition, whole text", () => {
    expect(
      buildToolArguments(weather.function.parameters, "In fahrenheit, what is the weather in Paris?"),
    ).toEqual({
      location: "Paris",
      unit: "fahrenheit",
    });
    expect(buildToolArguments(weather.function.parameters, 'Weather for "New York"?')).toEqual({
      location: "New York",
      unit: "celsius",
    });
    const two = { properties: { x: { type: "string" }, y: { type: "string" } } };
    expect(buildToolArguments(two, "look up cats")).toEqual({ x: "look up cats", y: "look up cats" });
  });

  it("uses defaults and empty values when the text has nothing", () => {
    const schema = {
      properties: {
        n: { type: "number", default: 7 },
        list: { type: "array" },
        obj: { type: "object" },
        flag: { type: "boolean", default: true },
        other: {},
      },
    };
    expect(buildToolArguments(schema, "nothing here")).toEqual({
      n: 7,
      list: [],
      obj: {},
      flag: true,
      other: null,
    });
    expect(buildToolArguments(undefined, "x")).toEqual({});
  });

  it("finds the subject phrase", () => {
    expect(subjectPhrase("What is the weather in Paris today?")).toBe("Paris today");
    expect(subjectPhrase("Tell me about the history of Rome.")).toBe("Rome");
    expect(subjectPhrase("hello")).toBeUndefined();
  });
});
