import type { ChatMessage, ResponseFormat, ToolChoice, ToolDefinition } from "../chat-types.js";

/** A validated chat completion request. */
export interface ChatRequest {
  readonly model: string | undefined;
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolDefinition[] | undefined;
  readonly toolChoice: ToolChoice | undefined;
  readonly responseFormat: ResponseFormat | undefined;
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
}

/** A validation failure: 400 for a missing or malformed field, 422 for a bad value. */
export interface ChatRequestError {
  readonly status: 400 | 422;
  readonly message: string;
}

const ROLES = new Set(["system", "user", "assistant", "tool", "developer"]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Validates an OpenAI-compatible chat body the way the router does: `messages` must be
 * a non-empty array (400), every message needs a known `role` (422), and `max_tokens`,
 * `temperature`, `top_p`, `stream` and `tools` must have valid values (422).
 */
export function validateChatRequest(body: unknown): ChatRequest | ChatRequestError {
  if (!isObject(body)) return { status: 400, message: "Request body must be a JSON object." };
  const { messages, model, tools, max_tokens, max_completion_tokens, temperature, top_p, stream } = body;
  if (!Array.isArray(messages) || messages.length === 0)
    return { status: 400, message: "Field `messages` is required and must be a non-empty array." };
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || typeof message.role !== "string" || !ROLES.has(message.role))
      return { status: 422, message: `messages[${i}].role must be one of system, user, assistant, tool.` };
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== "string" && !Array.isArray(content))
      return { status: 422, message: `messages[${i}].content must be a string or an array of parts.` };
  }
  if (model !== undefined && typeof model !== "string")
    return { status: 422, message: "Field `model` must be a string." };
  const maxTokens = max_tokens ?? max_completion_tokens;
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    !(Number.isInteger(maxTokens) && (maxTokens as number) > 0)
  )
    return { status: 422, message: "`max_tokens` must be a positive integer." };
  if (
    temperature !== undefined &&
    temperature !== null &&
    !(typeof temperature === "number" && temperature >= 0 && temperature <= 2)
  )
    return { status: 422, message: "`temperature` must be between 0 and 2." };
  if (top_p !== undefined && top_p !== null && !(typeof top_p === "number" && top_p > 0 && top_p <= 1))
    return { status: 422, message: "`top_p` must be in (0, 1]." };
  if (stream !== undefined && stream !== null && typeof stream !== "boolean")
    return { status: 422, message: "`stream` must be a boolean." };
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) return { status: 422, message: "`tools` must be an array." };
    for (const [i, tool] of tools.entries())
      if (!isObject(tool) || !isObject(tool.function) || typeof tool.function.name !== "string")
        return { status: 422, message: `tools[${i}].function.name is required.` };
  }
  const toolChoiceError = checkToolChoice(body.tool_choice, tools);
  if (toolChoiceError) return { status: 422, message: toolChoiceError };
  const format = body.response_format;
  if (format !== undefined && format !== null) {
    if (!isObject(format) || !["text", "json_object", "json_schema"].includes(format.type as string))
      return {
        status: 422,
        message: "`response_format.type` must be one of text, json_object, json_schema.",
      };
    if (
      format.type === "json_schema" &&
      !(isObject(format.json_schema) && isObject(format.json_schema.schema))
    )
      return { status: 422, message: "`response_format.json_schema.schema` must be a JSON schema object." };
  }
  return {
    model: model as string | undefined,
    messages: messages as ChatMessage[],
    tools: (tools ?? undefined) as ToolDefinition[] | undefined,
    toolChoice: (body.tool_choice ?? undefined) as ToolChoice | undefined,
    responseFormat: (format ?? undefined) as ResponseFormat | undefined,
    maxTokens: (maxTokens ?? undefined) as number | undefined,
    stream: stream === true,
  };
}

// `tool_choice` is "auto" | "none" | "required" or a function that must be among `tools`.
function checkToolChoice(choice: unknown, tools: unknown): string | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === "string")
    return ["auto", "none", "required"].includes(choice)
      ? undefined
      : "`tool_choice` must be auto, none, required or a function.";
  if (!isObject(choice) || !isObject(choice.function) || typeof choice.function.name !== "string")
    return '`tool_choice` must be auto, none, required or { type: "function", function: { name } }.';
  const name = choice.function.name;
  const offered =
    Array.isArray(tools) &&
    tools.some((t) => isObject(t) && isObject(t.function) && t.function.name === name);
  return offered ? undefined : `\`tool_choice\` names the function '${name}', which is not among \`tools\`.`;
}
