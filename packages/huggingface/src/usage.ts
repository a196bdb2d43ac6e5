import type { ResponseReport } from "@swarmgate/core";
import { StreamAnswer } from "./answer.js";

/** Token usage read from a response. */
export interface TokenUsage {
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  /** The model that answered, when the response says. */
  readonly responseModel: string | undefined;
}

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Token usage of a JSON response body or of one stream chunk: the OpenAI-style
 * `usage: { prompt_tokens, completion_tokens }` of chat and completions (and of the last
 * chunk of a stream), or TGI's `details.generated_tokens` (`details.prefill` for the
 * prompt, when returned). `undefined` when the body says nothing about tokens; never throws.
 *
 * @example
 * usageOf({ model: "m", usage: { prompt_tokens: 6, completion_tokens: 19 } });
 * // { inputTokens: 6, outputTokens: 19, responseModel: "m" }
 */
export function usageOf(body: unknown): TokenUsage | undefined {
  const item = Array.isArray(body) ? body[0] : body;
  const o = record(item);
  if (!o) return undefined;
  const responseModel = typeof o.model === "string" ? o.model : undefined;
  const usage = record(o.usage);
  if (usage) {
    const inputTokens = count(usage.prompt_tokens ?? usage.input_tokens);
    const outputTokens = count(usage.completion_tokens ?? usage.output_tokens);
    if (inputTokens !== undefined || outputTokens !== undefined)
      return { inputTokens, outputTokens, responseModel };
  }
  const details = record(o.details);
  const outputTokens = count(details?.generated_tokens);
  if (details && outputTokens !== undefined) {
    const prefill =
      Array.isArray(details.prefill) && details.prefill.length > 0 ? details.prefill.length : undefined;
    return { inputTokens: prefill, outputTokens, responseModel };
  }
  return undefined;
}

/**
 * The usage of a stream: the last chunk that carried any (providers put it in the final
 * chunk). Feed it every chunk; read `usage` at the end.
 */
export class StreamUsage {
  #usage: TokenUsage | undefined;
  #model: string | undefined;
  #chunks = 0;
  readonly #answer = new StreamAnswer();

  /** Records one parsed chunk. */
  add(chunk: unknown): void {
    this.#chunks++;
    this.#answer.add(chunk);
    const usage = usageOf(chunk);
    if (usage) this.#usage = usage;
    const model = record(chunk)?.model;
    if (typeof model === "string") this.#model = model;
  }

  /** What the chunks said about the answer (id, model, finish reasons), for `ctx.reportResponse`. */
  get response(): ResponseReport | undefined {
    return this.#answer.response;
  }

  /** Chunks seen so far. */
  get chunks(): number {
    return this.#chunks;
  }

  /** The last usage seen, with the last `model` any chunk named. */
  get usage(): TokenUsage | undefined {
    if (!this.#usage)
      return this.#model
        ? { inputTokens: undefined, outputTokens: undefined, responseModel: this.#model }
        : undefined;
    return { ...this.#usage, responseModel: this.#usage.responseModel ?? this.#model };
  }
}

// One token per four characters: the usual rule of thumb, and what the simulator counts.
const CHARS_PER_TOKEN = 4;

function textLength(value: unknown, depth = 0): number {
  if (typeof value === "string") return value.length;
  if (depth > 6 || typeof value !== "object" || value === null) return 0;
  let total = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) total += textLength(v, depth + 1);
  return total;
}

/** What a request will probably use, before it is sent: prompt tokens from its text, output from its limit. */
export interface RequestEstimate {
  readonly inputTokens: number;
  /** `max_tokens` / `max_new_tokens` when given, else `defaultOutputTokens`. */
  readonly outputTokens: number;
}

/**
 * Estimates a request's tokens from its arguments (chat `messages`, `inputs`, `prompt`):
 * text length / 4 (+4 per chat message), and the output limit it asks for.
 *
 * @example
 * estimateTokens({ messages: [{ role: "user", content: "Hello!" }], max_tokens: 100 }); // { inputTokens: 6, outputTokens: 100 }
 */
export function estimateTokens(args: unknown, defaultOutputTokens = 256): RequestEstimate {
  const a = record(args) ?? {};
  const messages = Array.isArray(a.messages) ? a.messages : undefined;
  let inputTokens: number;
  if (messages) {
    inputTokens = 0;
    for (const m of messages) inputTokens += Math.ceil(textLength(record(m)?.content) / CHARS_PER_TOKEN) + 4;
    if (a.tools !== undefined) inputTokens += Math.ceil(textLength(a.tools) / CHARS_PER_TOKEN);
  } else inputTokens = Math.ceil(textLength(a.inputs ?? a.prompt ?? a.input ?? a.text) / CHARS_PER_TOKEN);
  const parameters = record(a.parameters);
  const limit = count(
    a.max_tokens ?? a.max_completion_tokens ?? parameters?.max_new_tokens ?? parameters?.max_tokens,
  );
  return { inputTokens, outputTokens: limit ?? defaultOutputTokens };
}
