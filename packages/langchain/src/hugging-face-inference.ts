import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { type BaseLLMCallOptions, type BaseLLMParams, LLM } from "@langchain/core/language_models/llms";
import { GenerationChunk } from "@langchain/core/outputs";
import type { Governor } from "@swarmgate/core";
import {
  expectKnownFields,
  HuggingFaceCaller,
  type HuggingFaceGovernanceFields,
  serializableFields,
} from "./hugging-face-caller.js";
import { runScopeOf } from "./run-scope.js";

/** Options of {@link HuggingFaceInference}: `@langchain/community`'s, plus the governance. */
export interface HuggingFaceInferenceInput extends BaseLLMParams, HuggingFaceGovernanceFields {
  /** A text-generation model on the Hub. @default "openai-community/gpt2" */
  readonly model?: string;
  readonly temperature?: number;
  /** `max_new_tokens`. */
  readonly maxTokens?: number;
  /** `stop` sequences. */
  readonly stopSequences?: string[];
  readonly topP?: number;
  readonly topK?: number;
  /** `repetition_penalty`. */
  readonly frequencyPenalty?: number;
  /** Ignored: always 0 (the governor owns retries). */
  readonly maxRetries?: number;
}

/**
 * `@langchain/community`'s `HuggingFaceInference` text-generation LLM, with the same class
 * name, options and behaviour (the generated text without the prompt), governed: each
 * call is one logical call of the `governor` through the real `@huggingface/inference`
 * client, whose `fetch` is `governedFetch` (the community class is built on the deprecated
 * `HfInference` and takes no `fetch`). Streams through `textGenerationStream`.
 * LangChain's retries are off; errors carry a top-level `status`.
 *
 * @example
 * const llm = new HuggingFaceInference({ model: "openai-community/gpt2", governor, maxTokens: 40 });
 * const text = await llm.invoke("Once upon a time");
 */
export class HuggingFaceInference extends LLM<BaseLLMCallOptions> {
  static override lc_name(): string {
    return "HuggingFaceInference";
  }

  // `toJSON()` (what LangChain hands its tracers) writes `apiKey` as a reference to the
  // `HF_TOKEN` secret; the token itself is in neither `lc_kwargs` nor `inspect()`.
  override lc_serializable = true;

  override get lc_secrets(): Record<string, string> | undefined {
    return { apiKey: "HF_TOKEN" };
  }

  readonly model: string;
  readonly temperature: number | undefined;
  readonly maxTokens: number | undefined;
  readonly stopSequences: string[] | undefined;
  readonly topP: number | undefined;
  readonly topK: number | undefined;
  readonly frequencyPenalty: number | undefined;
  readonly #caller: HuggingFaceCaller;
  readonly #provider: string | undefined;

  constructor(fields: HuggingFaceInferenceInput) {
    if (typeof fields !== "object" || fields === null)
      throw new TypeError(
        `Expected \`fields\` to be an object with a \`governor\`, got \`${String(fields)}\``,
      );
    expectKnownFields("HuggingFaceInference", fields);
    super({ ...serializableFields(fields), maxRetries: 0 });
    this.model = fields.model ?? "openai-community/gpt2";
    this.temperature = fields.temperature;
    this.maxTokens = fields.maxTokens;
    this.stopSequences = fields.stopSequences;
    this.topP = fields.topP;
    this.topK = fields.topK;
    this.frequencyPenalty = fields.frequencyPenalty;
    this.#provider = fields.provider;
    this.#caller = new HuggingFaceCaller(fields);
  }

  /** The governor every call of this model goes through. */
  get governor(): Governor {
    return this.#caller.governor;
  }

  /** The Hugging Face token (registered as a secret; never printed nor serialized). */
  get apiKey(): string | undefined {
    return this.#caller.apiKey;
  }

  _llmType(): string {
    return "hf";
  }

  #args(prompt: string, options: this["ParsedCallOptions"]) {
    const parameters: Record<string, unknown> = {
      return_full_text: false,
      temperature: this.temperature,
      max_new_tokens: this.maxTokens,
      stop: options.stop ?? this.stopSequences,
      top_p: this.topP,
      top_k: this.topK,
      repetition_penalty: this.frequencyPenalty,
    };
    for (const key of Object.keys(parameters)) if (parameters[key] === undefined) delete parameters[key];
    return {
      model: this.model,
      ...(this.#provider ? { provider: this.#provider } : {}),
      inputs: prompt,
      parameters,
    };
  }

  async _call(
    prompt: string,
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<string> {
    const args = this.#args(prompt, options);
    const scope = await runScopeOf(runManager);
    const info = this.#caller.info("text_completion", this.model, args, scope, options.signal);
    const output = await this.#caller.call(info, scope, (client, signal) =>
      client.textGeneration(args as Parameters<typeof client.textGeneration>[0], { signal }),
    );
    return output.generated_text;
  }

  override async *_streamResponseChunks(
    prompt: string,
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<GenerationChunk> {
    const args = this.#args(prompt, options);
    const scope = await runScopeOf(runManager);
    const info = this.#caller.info("text_completion", this.model, args, scope, options.signal);
    const stream = this.#caller.stream(info, scope, (client, signal) =>
      client.textGenerationStream(args as Parameters<typeof client.textGenerationStream>[0], { signal }),
    );
    for await (const chunk of stream) {
      const text = streamedText(chunk);
      if (text === undefined) continue;
      const generation = new GenerationChunk({ text, generationInfo: { ...chunk } });
      yield generation;
      await runManager?.handleLLMNewToken(generation.text);
    }
  }
}

// hf-inference's `/v1/completions` streams OpenAI completion events (`choices[0].text`);
// TGI's classic endpoint streamed `{ token: { text, special } }`, which the client's types
// still describe. Either way the text piece, or undefined for nothing to show.
function streamedText(chunk: unknown): string | undefined {
  const c = chunk as { token?: { text?: unknown; special?: unknown }; choices?: { text?: unknown }[] };
  if (c.token) return c.token.special || typeof c.token.text !== "string" ? undefined : c.token.text;
  const text = c.choices?.[0]?.text;
  return typeof text === "string" && text.length > 0 ? text : undefined;
}
