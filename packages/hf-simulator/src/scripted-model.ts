import {
  type ChatMessage,
  contentText,
  type ResponseFormat,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from "./chat-types.js";
import { createRandom, hashString } from "./random.js";
import { valueForSchema, valueSource } from "./schema-value.js";
import { countTokens, truncateTokens } from "./tokenizer.js";
import { buildToolArguments } from "./tool-arguments.js";

/** What the scripted model answers. */
export type ScriptedReply =
  | { readonly kind: "text"; readonly content: string; readonly finishReason: "stop" | "length" }
  | {
      readonly kind: "tool_calls";
      readonly toolCalls: readonly ToolCall[];
      readonly finishReason: "tool_calls";
    };

/** A chat request, as far as the scripted model reads it. */
export interface ScriptedRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly responseFormat?: ResponseFormat;
  readonly maxTokens?: number;
}

/**
 * A deterministic stand-in for an LLM, enough for an agent to run a real tool loop:
 * 1. With tools offered (and `tool_choice` not `"none"`) and no `tool` message after the
 *    latest user message, it calls one tool: the forced one, else the first whose name
 *    matches a word of the user message, else the first; arguments come from the tool's
 *    JSON schema and the user text ({@link buildToolArguments}).
 * 2. `tool_choice: "required"` or a named function is honoured at every turn: after tool
 *    results it calls a tool again (the named one; else the first not yet called since
 *    the user spoke, else the first), its arguments drawn from the results too.
 * 3. Once tool results follow the latest user message, it answers
 *    `Here is what I found: <tool> returned <result>.` for each result.
 * 4. Otherwise it answers `Simulated reply from <model>. You said: "<user text>"`.
 * With `response_format` `json_object` the text is `{"answer": <text>}`; with
 * `json_schema` a value built from the schema ({@link valueForSchema}). Text is cut to
 * `max_tokens` (finish reason `length`).
 */
export function scriptReply(request: ScriptedRequest): ScriptedReply {
  const { messages, toolChoice } = request;
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i]?.role === "user") {
      lastUser = i;
      break;
    }
  const userText = lastUser >= 0 ? contentText(messages[lastUser]?.content).trim() : "";
  const after = messages.slice(lastUser + 1);
  const toolResults = after.filter((m) => m.role === "tool");
  const names = new Map<string, string>();
  for (const m of after) for (const call of m.tool_calls ?? []) names.set(call.id, call.function.name);
  const resultTexts = toolResults.map(
    (m) => `${names.get(m.tool_call_id ?? "") ?? m.name ?? "tool"} returned ${contentText(m.content)}`,
  );
  const tools = request.tools ?? [];
  const forcing = toolChoice === "required" || typeof toolChoice === "object";
  if (tools.length > 0 && toolChoice !== "none" && (toolResults.length === 0 || forcing)) {
    const called = new Set(names.values());
    const tool = chooseTool(tools, toolChoice, userText, called);
    const argumentText = [userText, ...toolResults.map((m) => contentText(m.content))].join(" ").trim();
    const random = createRandom(hashString(`${request.model}\n${JSON.stringify(messages)}`));
    const call: ToolCall = {
      id: `call_${random.hex(24)}`,
      type: "function",
      function: {
        name: tool.function.name,
        arguments: JSON.stringify(buildToolArguments(tool.function.parameters, argumentText)),
      },
    };
    return { kind: "tool_calls", toolCalls: [call], finishReason: "tool_calls" };
  }
  const plain =
    toolResults.length > 0
      ? `Here is what I found: ${resultTexts.join("; ")}.`
      : `Simulated reply from ${request.model}. You said: "${userText}"`;
  const content = formatContent(plain, request.responseFormat, toolResults.length > 0 ? plain : userText);
  if (request.maxTokens !== undefined && countTokens(content) > request.maxTokens)
    return { kind: "text", content: truncateTokens(content, request.maxTokens), finishReason: "length" };
  return { kind: "text", content, finishReason: "stop" };
}

function formatContent(plain: string, format: ResponseFormat | undefined, source: string): string {
  if (format?.type === "json_object") return JSON.stringify({ answer: plain });
  if (format?.type === "json_schema")
    return JSON.stringify(valueForSchema(format.json_schema.schema ?? {}, valueSource(source)));
  return plain;
}

/** Name words of a tool: `get_weather` → ["get", "weather"], `searchWeb` → ["search", "web"]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

// Two words match when equal or, both being 5+ letters, sharing their first 5 letters
// ("calculate" ~ "calculator"); words under 4 letters ("get", "web") never match.
const wordsMatch = (a: string, b: string): boolean =>
  a.length >= 4 &&
  b.length >= 4 &&
  (a === b || (a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5)));

function chooseTool(
  tools: readonly ToolDefinition[],
  choice: ToolChoice | undefined,
  text: string,
  called: ReadonlySet<string>,
): ToolDefinition {
  if (typeof choice === "object") {
    const forced = tools.find((t) => t.function.name === choice.function.name);
    if (forced) return forced;
  }
  // Forced again after results: move on to a tool the conversation has not called yet.
  const fresh = tools.filter((t) => !called.has(t.function.name));
  if (called.size > 0) tools = fresh.length > 0 ? fresh : tools;
  const userWords = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const matching = tools.find((tool) =>
    nameWords(tool.function.name).some((w) => userWords.some((u) => wordsMatch(w, u))),
  );
  return matching ?? tools[0]!;
}
