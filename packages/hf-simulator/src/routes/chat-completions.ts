import type { Route } from "../catalogue.js";
import { contentText } from "../chat-types.js";
import { type ScriptedReply, scriptReply } from "../scripted-model.js";
import { countTokens, splitTokens, TOKENS_PER_MESSAGE } from "../tokenizer.js";
import { type ChatRequest, validateChatRequest } from "./chat-request.js";
import type { InferenceContext, Usage } from "./context.js";
import { routeFailure } from "./route-failure.js";
import { streamEvents } from "./sse.js";

/** Where a chat request was sent. */
export interface ChatTarget {
  /** Provider named by the path: `/together/v1/...`, or `hf-inference` for `/hf-inference/models/{id}/v1/...`. */
  readonly pathProvider?: string;
  /** Model named by the path (hf-inference). */
  readonly pathModel?: string;
}

/** Prompt tokens: each message's text plus a per-message overhead, plus the tool definitions. */
export function promptTokens(request: ChatRequest): number {
  let tokens = 0;
  for (const message of request.messages)
    tokens += countTokens(contentText(message.content)) + TOKENS_PER_MESSAGE;
  if (request.tools) tokens += countTokens(JSON.stringify(request.tools));
  return tokens;
}

function outputTokens(reply: ScriptedReply): number {
  if (reply.kind === "text") return countTokens(reply.content);
  return reply.toolCalls.reduce(
    (n, call) => n + countTokens(call.function.name + call.function.arguments),
    0,
  );
}

/** `POST /v1/chat/completions`, `/{provider}/v1/chat/completions`, `/hf-inference/models/{id}/v1/chat/completions`. */
export async function handleChatCompletions(
  ctx: InferenceContext,
  body: unknown,
  target: ChatTarget,
): Promise<void> {
  const request = validateChatRequest(body);
  if ("status" in request) return ctx.fail(request.status, request.message, "invalid_request");
  const requested = target.pathModel ?? request.model;
  if (requested === undefined && !ctx.endpoint)
    return ctx.fail(400, "Field `model` is required.", "invalid_request");
  const route =
    ctx.endpoint?.route ??
    ctx.state.catalogue.route(requested ?? "", target.pathProvider, ctx.state.routing(ctx.identity));
  if ("kind" in route) return routeFailure(ctx, route);
  if (route.model.task !== "conversational")
    return ctx.fail(
      400,
      `Model '${route.model.id}' does not support chat completion (task: ${route.model.task}).`,
      "model_not_supported",
    );
  const inputTokens = promptTokens(request);
  const context = route.model.contextLength ?? 8192;
  if (inputTokens + (request.maxTokens ?? 0) > context)
    return ctx.fail(
      422,
      `Input validation error: prompt tokens + max_tokens must be <= ${context}. Given: ${inputTokens} prompt tokens and ${request.maxTokens ?? 0} max_tokens`,
      "context_length_exceeded",
    );
  const reply = scriptReply({
    model: route.model.id,
    messages: request.messages,
    ...(request.tools ? { tools: request.tools } : {}),
    ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
    ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}),
    ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
  });
  const output = outputTokens(reply);
  if (!(await ctx.beforeAnswer(route, inputTokens + output))) return;
  const usage = { prompt_tokens: inputTokens, completion_tokens: output, total_tokens: inputTokens + output };
  const common = {
    id: `chatcmpl-${ctx.state.random.hex(24)}`,
    created: Math.floor(ctx.state.options.clock.now() / 1000),
    // The auto-router echoes the Hub id; a provider route echoes the provider's own id.
    model: target.pathProvider === undefined ? route.model.id : route.provider.providerId,
    // TGI (hf-inference) sends a fingerprint; partner providers such as Together do not.
    ...(route.provider.provider === "hf-inference" ? { system_fingerprint: "3.2.3-sha-a1f3ebe" } : {}),
  };
  const tokens = { inputTokens, outputTokens: output };
  if (request.stream) return streamReply(ctx, route, reply, common, usage, tokens);
  const message =
    reply.kind === "text"
      ? { role: "assistant", content: reply.content }
      : { role: "assistant", content: null, tool_calls: reply.toolCalls };
  await ctx.answerJson(route, tokens, {
    object: "chat.completion",
    ...common,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage,
  });
}

function streamReply(
  ctx: InferenceContext,
  route: Route,
  reply: ScriptedReply,
  common: Record<string, unknown>,
  usage: Record<string, number>,
  tokens: Usage,
): Promise<void> {
  const chunk = (delta: unknown, finishReason: string | null = null, extra: object = {}) => ({
    object: "chat.completion.chunk",
    ...common,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  });
  const deltas: unknown[] =
    reply.kind === "text"
      ? splitTokens(reply.content).map((content) => ({ content }))
      : reply.toolCalls.map((call, index) => ({ tool_calls: [{ index, ...call }] }));
  return streamEvents(ctx, route, tokens, {
    opening: chunk({ role: "assistant", content: "" }),
    deltas: deltas.map((delta) => chunk(delta)),
    closing: chunk({}, reply.finishReason, { usage }),
  });
}
