import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type {
  BaseLanguageModelInput,
  StructuredOutputMethodOptions,
} from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import {
  assembleStructuredOutputPipeline,
  createContentParser,
  createFunctionCallingParser,
} from "@langchain/core/language_models/structured_output";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import { type Runnable, RunnableLambda } from "@langchain/core/runnables";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { SerializableSchema } from "@langchain/core/utils/standard_schema";
import { type InteropZodType, isInteropZodSchema } from "@langchain/core/utils/types";
import type { Governor } from "@swarmgate/core";
import {
  expectKnownFields,
  HuggingFaceCaller,
  type HuggingFaceGovernanceFields,
  serializableFields,
} from "./hugging-face-caller.js";
import type {
  ChatCompletionArgs as ChatCompletionInput,
  ChatCompletionOutput,
} from "./hugging-face-types.js";
import {
  fromHuggingFaceCompletion,
  fromHuggingFaceStreamChunk,
  toHuggingFaceMessages,
} from "./message-conversion.js";
import { runScopeOf } from "./run-scope.js";

/** `tool_choice` as LangChain takes it: `auto`, `none`, `any` / `required`, a tool's name, or the raw object. */
export type ChatHuggingFaceToolChoice =
  | "auto"
  | "none"
  | "any"
  | "required"
  | (string & {})
  | Record<string, unknown>;

/** Call options of {@link ChatHuggingFace} (also bindable with `withConfig` / `bindTools`). */
export interface ChatHuggingFaceCallOptions extends BaseChatModelCallOptions {
  /** Tools the model may call (any of LangChain's tool shapes; sent in OpenAI's format). */
  tools?: BindToolsInput[];
  tool_choice?: ChatHuggingFaceToolChoice;
  /** `response_format` of Hugging Face's chat completion (`json_object`, `json_schema`). */
  response_format?: ChatCompletionInput["response_format"];
  seed?: number;
  /** Extra body fields for this call (merged over `modelKwargs`). */
  modelKwargs?: Record<string, unknown>;
}

/** Options of {@link ChatHuggingFace}: the model, its sampling parameters, and the governance. */
export interface ChatHuggingFaceInput extends BaseChatModelParams, HuggingFaceGovernanceFields {
  /** The Hub model id, optionally with `:provider`, `:fastest` or `:cheapest`. */
  readonly model: string;
  readonly temperature?: number;
  /** `max_tokens`. */
  readonly maxTokens?: number;
  readonly topP?: number;
  readonly frequencyPenalty?: number;
  readonly presencePenalty?: number;
  readonly stop?: string[];
  readonly seed?: number;
  /** Generate through the stream even in `invoke()` (tokens reach the callbacks as they come). @default false */
  readonly streaming?: boolean;
  /** Ask for the usage in the last chunk of a stream (`stream_options.include_usage`). @default true */
  readonly streamUsage?: boolean;
  /** Extra body fields sent with every call. */
  readonly modelKwargs?: Record<string, unknown>;
  /**
   * Ignored: always 0. The governor owns retries (backoff, `Retry-After`, quota per attempt);
   * LangChain's AsyncCaller retrying on top would multiply them.
   */
  readonly maxRetries?: number;
}

function toolChoiceOf(choice: ChatHuggingFaceToolChoice | undefined): ChatCompletionInput["tool_choice"] {
  if (choice === undefined) return undefined;
  if (typeof choice === "object") return choice as ChatCompletionInput["tool_choice"];
  if (choice === "any" || choice === "required") return "required";
  if (choice === "auto" || choice === "none") return choice as "auto" | "none";
  return { type: "function", function: { name: choice } };
}

/**
 * A LangChain chat model over Hugging Face's chat completions (the router's
 * OpenAI-compatible API, any inference provider, or a dedicated endpoint), governed: every
 * call is one logical call of the `governor` — quota permit per attempt, concurrency slot,
 * breaker per provider, retries honouring `RateLimit` / `Retry-After` — traced as a
 * `chat {model}` span. Tool calling (`bindTools`, `AIMessage.tool_calls`), streaming
 * (tool call chunks and usage included), `usage_metadata` and `withStructuredOutput`, so
 * that it runs `createAgent` agents and LangGraph graphs. LangChain's own retries are off
 * (`maxRetries` is always 0); errors carry a top-level `status`.
 *
 * @example
 * const model = new ChatHuggingFace({ model: "meta-llama/Llama-3.1-8B-Instruct", governor });
 * const agent = createAgent({ model, tools: [getWeather], name: "forecaster" });
 * await agent.invoke({ messages: [{ role: "user", content: "Weather in Paris?" }] },
 *   { callbacks: [new GovernorCallbackHandler()] });
 */
export class ChatHuggingFace extends BaseChatModel<ChatHuggingFaceCallOptions, AIMessageChunk> {
  static override lc_name(): string {
    return "ChatHuggingFace";
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
  readonly topP: number | undefined;
  readonly frequencyPenalty: number | undefined;
  readonly presencePenalty: number | undefined;
  readonly stop: string[] | undefined;
  readonly seed: number | undefined;
  readonly streaming: boolean;
  readonly streamUsage: boolean;
  readonly modelKwargs: Record<string, unknown>;
  readonly #caller: HuggingFaceCaller;
  readonly #provider: string | undefined;

  constructor(fields: ChatHuggingFaceInput) {
    if (typeof fields !== "object" || fields === null)
      throw new TypeError(
        `Expected \`fields\` to be an object with a \`model\` and a \`governor\`, got \`${String(fields)}\``,
      );
    if (typeof fields.model !== "string" || fields.model === "")
      throw new TypeError(`Expected \`model\` to be a Hub model id, got \`${String(fields.model)}\``);
    expectKnownFields("ChatHuggingFace", fields);
    super({ ...serializableFields(fields), maxRetries: 0 });
    this.model = fields.model;
    this.temperature = fields.temperature;
    this.maxTokens = fields.maxTokens;
    this.topP = fields.topP;
    this.frequencyPenalty = fields.frequencyPenalty;
    this.presencePenalty = fields.presencePenalty;
    this.stop = fields.stop;
    this.seed = fields.seed;
    this.streaming = fields.streaming ?? false;
    this.streamUsage = fields.streamUsage ?? true;
    this.modelKwargs = fields.modelKwargs ?? {};
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
    return "huggingface";
  }

  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return {
      ls_provider: "huggingface",
      ls_model_name: this.model,
      ls_model_type: "chat",
      ...(this.temperature === undefined ? {} : { ls_temperature: this.temperature }),
      ...(this.maxTokens === undefined ? {} : { ls_max_tokens: this.maxTokens }),
      ...((options.stop ?? this.stop) ? { ls_stop: options.stop ?? this.stop } : {}),
    };
  }

  /** The request body without `messages` (no token, no governor). */
  override invocationParams(options?: this["ParsedCallOptions"]): Omit<ChatCompletionInput, "messages"> {
    const stop = options?.stop ?? this.stop;
    const seed = options?.seed ?? this.seed;
    const tools = options?.tools?.map((tool) => convertToOpenAITool(tool));
    const params: Record<string, unknown> = {
      model: this.model,
      ...(this.#provider ? { provider: this.#provider } : {}),
      temperature: this.temperature,
      max_tokens: this.maxTokens,
      top_p: this.topP,
      frequency_penalty: this.frequencyPenalty,
      presence_penalty: this.presencePenalty,
      ...(stop && stop.length > 0 ? { stop } : {}),
      seed,
      ...(tools && tools.length > 0 ? { tools } : {}),
      tool_choice: toolChoiceOf(options?.tool_choice),
      response_format: options?.response_format,
      ...this.modelKwargs,
      ...options?.modelKwargs,
    };
    for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
    return params as Omit<ChatCompletionInput, "messages">;
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<ChatHuggingFaceCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ChatHuggingFaceCallOptions> {
    return this.withConfig({ tools, ...kwargs } as Partial<ChatHuggingFaceCallOptions>);
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    if (this.streaming) return this.#generateByStreaming(messages, options, runManager);
    const args = { ...this.invocationParams(options), messages: toHuggingFaceMessages(messages) };
    const scope = await runScopeOf(runManager);
    const info = this.#caller.info("chat", this.model, args, scope, options.signal);
    const output: ChatCompletionOutput = await this.#caller.call(info, scope, (client, signal) =>
      client.chatCompletion(args as ChatCompletionInput, { signal }),
    );
    const generation = fromHuggingFaceCompletion(output);
    const usage = output.usage;
    return {
      generations: [generation],
      llmOutput: usage
        ? {
            tokenUsage: {
              promptTokens: usage.prompt_tokens,
              completionTokens: usage.completion_tokens,
              totalTokens: usage.total_tokens,
            },
          }
        : {},
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const args = {
      ...this.invocationParams(options),
      messages: toHuggingFaceMessages(messages),
      ...(this.streamUsage ? { stream_options: { include_usage: true } } : {}),
    };
    const scope = await runScopeOf(runManager);
    const info = this.#caller.info("chat", this.model, args, scope, options.signal);
    const stream = this.#caller.stream(info, scope, (client, signal) =>
      client.chatCompletionStream(args as ChatCompletionInput, { signal }),
    );
    for await (const raw of stream) {
      const chunk = fromHuggingFaceStreamChunk(raw);
      yield chunk;
      await runManager?.handleLLMNewToken(
        chunk.text,
        { prompt: 0, completion: 0 },
        undefined,
        undefined,
        undefined,
        {
          chunk,
        },
      );
    }
  }

  async #generateByStreaming(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let aggregate: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager))
      aggregate = aggregate ? aggregate.concat(chunk) : chunk;
    if (!aggregate) throw new Error("The stream of the chat completion ended without a chunk");
    return { generations: [aggregate], llmOutput: {} };
  }

  // biome-ignore lint/suspicious/noExplicitAny: the signature of BaseChatModel.withStructuredOutput
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    // biome-ignore lint/suspicious/noExplicitAny: as in BaseChatModel
    outputSchema: InteropZodType<RunOutput> | SerializableSchema<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  // biome-ignore lint/suspicious/noExplicitAny: the signature of BaseChatModel.withStructuredOutput
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    // biome-ignore lint/suspicious/noExplicitAny: as in BaseChatModel
    outputSchema: InteropZodType<RunOutput> | SerializableSchema<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  /**
   * A runnable that answers with an object of the schema (zod, standard schema or JSON
   * schema). `method`: `functionCalling` (default: the schema becomes a forced tool, which
   * most Hugging Face providers support), `jsonSchema` (`response_format` `json_schema`) or
   * `jsonMode` (`json_object`). With `includeRaw`, `{ raw, parsed }`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the signature of BaseChatModel.withStructuredOutput
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    // biome-ignore lint/suspicious/noExplicitAny: as in BaseChatModel
    outputSchema: InteropZodType<RunOutput> | SerializableSchema<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<boolean>,
  ):
    | Runnable<BaseLanguageModelInput, RunOutput>
    | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
    const method = config?.method ?? "functionCalling";
    const asJsonSchema = toJsonSchema(outputSchema as InteropZodType<RunOutput>) as Record<string, unknown>;
    const includeRaw = config?.includeRaw;
    if (method === "jsonMode" || method === "jsonSchema") {
      const name = config?.name ?? "extract";
      const llm = this.withConfig({
        response_format:
          method === "jsonMode"
            ? { type: "json_object" }
            : {
                type: "json_schema",
                json_schema: {
                  name,
                  schema: asJsonSchema,
                  ...(config?.strict === undefined ? {} : { strict: config.strict }),
                },
              },
        ls_structured_output_format: {
          kwargs: { method: method === "jsonMode" ? "json_mode" : "json_schema" },
          schema: { title: name, ...asJsonSchema },
        },
      } as Partial<ChatHuggingFaceCallOptions>);
      const parser = createContentParser(outputSchema);
      const outputParser = RunnableLambda.from((message: AIMessageChunk) => parser.invoke(message.text));
      return assembleStructuredOutputPipeline(llm, outputParser, includeRaw) as Runnable<
        BaseLanguageModelInput,
        RunOutput
      >;
    }
    let functionName = config?.name ?? "extract";
    let fn: { name: string; description?: string; parameters: unknown };
    const schema = outputSchema as Record<string, unknown>;
    if (isInteropZodSchema(outputSchema) || !("parameters" in schema || "type" in schema)) {
      fn = {
        name: functionName,
        ...(typeof asJsonSchema.description === "string" ? { description: asJsonSchema.description } : {}),
        parameters: asJsonSchema,
      };
    } else if (typeof schema.name === "string" && typeof schema.parameters === "object") {
      functionName = schema.name;
      fn = schema as typeof fn;
    } else {
      functionName = typeof schema.title === "string" ? schema.title : functionName;
      fn = {
        name: functionName,
        description: typeof schema.description === "string" ? schema.description : "",
        parameters: schema,
      };
    }
    const llm = this.withConfig({
      tools: [{ type: "function", function: fn }],
      tool_choice: functionName,
      ls_structured_output_format: {
        kwargs: { method: "function_calling" },
        schema: { title: functionName, ...asJsonSchema },
      },
    } as Partial<ChatHuggingFaceCallOptions>);
    const outputParser = createFunctionCallingParser(outputSchema, functionName);
    return assembleStructuredOutputPipeline(llm, outputParser, includeRaw) as Runnable<
      BaseLanguageModelInput,
      RunOutput
    >;
  }
}
