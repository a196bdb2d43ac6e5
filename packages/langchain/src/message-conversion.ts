import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  ChatMessage,
  type InvalidToolCall,
  type ToolCall,
  type ToolCallChunk,
  ToolMessage,
  type UsageMetadata,
} from "@langchain/core/messages";
import { type ChatGeneration, ChatGenerationChunk } from "@langchain/core/outputs";
import type {
  ChatCompletionMessage as ChatCompletionInputMessage,
  ChatCompletionOutput,
  ChatCompletionStreamOutput,
} from "./hugging-face-types.js";

type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

const MODEL_PROVIDER = "huggingface";

const ROLES: Readonly<Record<string, string>> = {
  human: "user",
  ai: "assistant",
  system: "system",
  developer: "system",
  tool: "tool",
};

function imageUrl(block: Record<string, unknown>): string | undefined {
  const raw = block.image_url;
  if (typeof raw === "string") return raw;
  if (typeof raw === "object" && raw !== null && typeof (raw as { url?: unknown }).url === "string")
    return (raw as { url: string }).url;
  if (block.type === "image") {
    if (typeof block.url === "string") return block.url;
    const data = block.data ?? (block.source_type === "base64" ? block.data : undefined);
    const mime = block.mimeType ?? block.mime_type ?? "image/png";
    if (typeof data === "string") return `data:${String(mime)};base64,${data}`;
  }
  return undefined;
}

/** A message's content as Hugging Face takes it: a string, or text and image parts. */
function toContent(content: BaseMessage["content"], textOnly: boolean): string | ContentPart[] {
  if (typeof content === "string") return content;
  const parts: ContentPart[] = [];
  for (const block of content as readonly unknown[]) {
    if (typeof block === "string") parts.push({ type: "text", text: block });
    else if (typeof block === "object" && block !== null) {
      const b = block as Record<string, unknown>;
      if (b.type === "text" && typeof b.text === "string") parts.push({ type: "text", text: b.text });
      else if (!textOnly) {
        const url = imageUrl(b);
        if (url) parts.push({ type: "image_url", image_url: { url } });
      }
    }
  }
  if (textOnly || parts.every((p) => p.type === "text"))
    return parts.map((p) => (p.type === "text" ? p.text : "")).join("");
  return parts;
}

/**
 * LangChain messages → the messages of Hugging Face's chat completion (OpenAI-compatible):
 * `human` → `user`, `ai` → `assistant` with its `tool_calls` (arguments as JSON text),
 * `tool` → `tool` with `tool_call_id`, `system` / `developer` → `system`, a `ChatMessage`
 * keeps its role. Content blocks become text and `image_url` parts.
 */
export function toHuggingFaceMessages(messages: readonly BaseMessage[]): ChatCompletionInputMessage[] {
  return messages.map((message) => {
    const type = message.getType();
    const role = ChatMessage.isInstance(message) ? message.role : ROLES[type];
    if (!role) throw new TypeError(`Expected a human, ai, system, tool or chat message, got \`${type}\``);
    if (AIMessage.isInstance(message) && message.tool_calls && message.tool_calls.length > 0)
      return {
        role: "assistant",
        content: toContent(message.content, true),
        tool_calls: message.tool_calls.map((call) => ({
          id: call.id ?? "",
          type: "function",
          function: { name: call.name, arguments: JSON.stringify(call.args) },
        })),
      };
    if (ToolMessage.isInstance(message))
      return {
        role: "tool",
        content: toContent(message.content, true),
        tool_call_id: message.tool_call_id,
        ...(message.name ? { name: message.name } : {}),
      };
    return {
      role,
      content: toContent(message.content, role !== "user"),
      ...(message.name ? { name: message.name } : {}),
    };
  });
}

interface RawToolCall {
  readonly id?: string;
  readonly function?: { readonly name?: string; readonly arguments?: unknown };
}

/** Tool calls of an answer: parsed arguments, or an invalid tool call when they are not JSON. */
export function parseToolCalls(raw: readonly RawToolCall[] | undefined): {
  toolCalls: ToolCall[];
  invalidToolCalls: InvalidToolCall[];
} {
  const toolCalls: ToolCall[] = [];
  const invalidToolCalls: InvalidToolCall[] = [];
  for (const call of raw ?? []) {
    const name = call.function?.name ?? "";
    const args = call.function?.arguments;
    // Some servers (TGI) send the arguments as an object instead of JSON text.
    if (typeof args === "object" && args !== null && !Array.isArray(args)) {
      toolCalls.push({ name, args: args as Record<string, unknown>, id: call.id, type: "tool_call" });
      continue;
    }
    const text = typeof args === "string" ? args : "";
    try {
      const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new TypeError("the arguments are not a JSON object");
      toolCalls.push({ name, args: parsed as Record<string, unknown>, id: call.id, type: "tool_call" });
    } catch (error) {
      invalidToolCalls.push({
        name,
        args: text,
        id: call.id,
        error: `Malformed arguments: ${(error as Error).message}`,
        type: "invalid_tool_call",
      });
    }
  }
  return { toolCalls, invalidToolCalls };
}

interface RawUsage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly total_tokens?: number;
}

/** `usage` of an answer → LangChain's `usage_metadata`. */
export function toUsageMetadata(usage: RawUsage | undefined): UsageMetadata | undefined {
  if (!usage || (usage.prompt_tokens === undefined && usage.completion_tokens === undefined))
    return undefined;
  const input = usage.prompt_tokens ?? 0;
  const output = usage.completion_tokens ?? 0;
  return { input_tokens: input, output_tokens: output, total_tokens: usage.total_tokens ?? input + output };
}

/** A chat completion → the `ChatGeneration` of its first choice. */
export function fromHuggingFaceCompletion(output: ChatCompletionOutput): ChatGeneration {
  const choice = output.choices[0];
  const raw = choice?.message;
  const content = typeof raw?.content === "string" ? raw.content : "";
  const { toolCalls, invalidToolCalls } = parseToolCalls(raw?.tool_calls);
  const usage = toUsageMetadata(output.usage);
  const message = new AIMessage({
    content,
    ...(output.id ? { id: output.id } : {}),
    tool_calls: toolCalls,
    invalid_tool_calls: invalidToolCalls,
    ...(usage ? { usage_metadata: usage } : {}),
    response_metadata: {
      model_provider: MODEL_PROVIDER,
      model_name: output.model,
      finish_reason: choice?.finish_reason,
      ...(output.system_fingerprint ? { system_fingerprint: output.system_fingerprint } : {}),
    },
  });
  return {
    text: content,
    message,
    generationInfo: { finish_reason: choice?.finish_reason },
  };
}

interface RawDeltaToolCall {
  readonly id?: string;
  readonly index?: number;
  readonly function?: { readonly name?: string; readonly arguments?: unknown };
}

/** One chunk of a chat completion stream → a `ChatGenerationChunk` (text, tool call chunks, usage). */
export function fromHuggingFaceStreamChunk(chunk: ChatCompletionStreamOutput): ChatGenerationChunk {
  const choice = chunk.choices?.[0];
  const delta = choice?.delta;
  const content = typeof delta?.content === "string" ? delta.content : "";
  const toolCallChunks: ToolCallChunk[] = ((delta?.tool_calls ?? []) as readonly RawDeltaToolCall[]).map(
    (call, i) => {
      const args = call.function?.arguments;
      return {
        type: "tool_call_chunk",
        index: call.index ?? i,
        ...(call.id ? { id: call.id } : {}),
        ...(call.function?.name ? { name: call.function.name } : {}),
        args: typeof args === "string" ? args : args === undefined ? "" : JSON.stringify(args),
      };
    },
  );
  const usage = toUsageMetadata(chunk.usage);
  const finishReason = choice?.finish_reason ?? undefined;
  const message = new AIMessageChunk({
    content,
    ...(chunk.id ? { id: chunk.id } : {}),
    tool_call_chunks: toolCallChunks,
    ...(usage ? { usage_metadata: usage } : {}),
    response_metadata: {
      model_provider: MODEL_PROVIDER,
      ...(finishReason ? { finish_reason: finishReason, model_name: chunk.model } : {}),
    },
  });
  return new ChatGenerationChunk({
    text: content,
    message,
    ...(finishReason ? { generationInfo: { finish_reason: finishReason } } : {}),
  });
}
