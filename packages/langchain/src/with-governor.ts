import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import { type CallInfo, expectKnownKeys, expectString, type Governor } from "@swarmgate/core";
import { runGoverned } from "@swarmgate/huggingface";
import { governedStream } from "./governed-stream.js";
import type { RunScope } from "./governor-callback-handler.js";
import { toLangChainError } from "./langchain-errors.js";
import { inRunScope, runScopeOf } from "./run-scope.js";

const governedBy = Symbol.for("swarmgate.langchain.governed_by");

/** Options of {@link withGovernor}: how the model's calls are named and keyed in the governor. */
export interface WithGovernorOptions {
  /** `gen_ai.request.model` of the spans. @default the model's `model` / `modelName` */
  readonly model?: string;
  /** The routed provider (also the default breaker key). @default none */
  readonly provider?: string;
  /** The breaker the calls go through. @default provider ?? "inference" */
  readonly breakerKey?: string;
  /** The quota bucket. @default "inference" */
  readonly requestClass?: string;
}

const WITH_GOVERNOR_OPTION_KEYS: ReadonlySet<string> = new Set<keyof WithGovernorOptions>([
  "model",
  "provider",
  "breakerKey",
  "requestClass",
]);

/** Parsed call options of any chat model, as far as governing reads them. */
type CallOptions = { signal?: AbortSignal | undefined } & Record<string, unknown>;
type Generate = (
  messages: BaseMessage[],
  options: CallOptions,
  runManager?: CallbackManagerForLLMRun,
) => Promise<ChatResult>;
type Stream = (
  messages: BaseMessage[],
  options: CallOptions,
  runManager?: CallbackManagerForLLMRun,
) => AsyncGenerator<ChatGenerationChunk>;

interface Patchable {
  _generate: Generate;
  _streamResponseChunks: Stream;
  _streamChatModelEvents?: unknown;
  withConfig: (config: unknown) => unknown;
  caller?: { maxRetries?: number };
  model?: unknown;
  modelName?: unknown;
  governor?: unknown;
  [governedBy]?: Governor;
}

// LangChain's AsyncCaller retries 6 times by default: off on the model and on the models it
// delegates to (ChatOpenAI calls its `completions` / `responses` models).
function disableRetries(model: object, depth = 0): void {
  const caller = (model as Patchable).caller;
  if (caller && typeof caller === "object" && "maxRetries" in caller) caller.maxRetries = 0;
  if (depth > 0) return;
  for (const value of Object.values(model))
    if (
      value !== model &&
      typeof value === "object" &&
      value !== null &&
      "caller" in value &&
      "_generate" in value
    )
      disableRetries(value, depth + 1);
}

/**
 * Governs any LangChain chat model — `ChatOpenAI` pointed at `https://router.huggingface.co/v1`,
 * another provider's model, a fake — with `governor`: each model call (`invoke`, a tool-loop
 * step of an agent, a stream) becomes one logical call of the governor, as one `chat {model}`
 * span with the LangChain run's attributes (see {@link GovernorCallbackHandler}); LangChain's
 * own retries are switched off (`maxRetries: 0` on the model and the models it delegates to);
 * errors reach LangChain with a top-level `status`. Streams are governed until their first
 * chunk, then hold their concurrency slot until they end.
 *
 * The model is governed **in place** and returned (its `bindTools`, `withConfig` and
 * `withStructuredOutput` give governed models too). Give the model `governedFetch(governor)`
 * as its `fetch` (same governor): its HTTP requests then become the attempts of the call —
 * rate-limit headers observed, 429/503 retried by the governor, usage and cost read from
 * the answer — instead of calls of their own.
 *
 * @example
 * const chat = withGovernor(
 *   new ChatOpenAI({ model, apiKey: process.env.HF_TOKEN, maxRetries: 0,
 *     configuration: { baseURL: "https://router.huggingface.co/v1", fetch: governedFetch(governor) } }),
 *   governor,
 * );
 */
// biome-ignore lint/suspicious/noExplicitAny: any chat model, whatever its call options and message type
export function withGovernor<T extends BaseChatModel<any, any>>(
  model: T,
  governor: Governor,
  options: WithGovernorOptions = {},
): T {
  const m = model as unknown as Patchable;
  if (typeof model !== "object" || model === null || typeof m._generate !== "function")
    throw new TypeError(`Expected \`model\` to be a LangChain chat model, got \`${String(model)}\``);
  if (typeof governor !== "object" || governor === null || typeof governor.run !== "function")
    throw new TypeError(
      `Expected \`governor\` to be a Governor (from createGovernor), got \`${String(governor)}\``,
    );
  if (typeof options !== "object" || options === null)
    throw new TypeError(`Expected \`options\` to be an object, got \`${String(options)}\``);
  expectKnownKeys("`withGovernor` options", options, WITH_GOVERNOR_OPTION_KEYS);
  for (const key of WITH_GOVERNOR_OPTION_KEYS)
    if (options[key as keyof WithGovernorOptions] !== undefined)
      expectString(key, options[key as keyof WithGovernorOptions]);
  // Governing twice would nest two calls of the governor: the inner one could wait for a
  // slot the outer one holds.
  const already = m[governedBy] ?? (typeof m.governor === "object" ? (m.governor as Governor) : undefined);
  if (already === governor) return model;
  if (already !== undefined)
    throw new TypeError(
      "Expected `model` not to be governed already, but it is governed by another governor",
    );
  disableRetries(model);

  const name =
    options.model ??
    (typeof m.model === "string" ? m.model : undefined) ??
    (typeof m.modelName === "string" ? m.modelName : undefined);
  const infoOf = (scope: RunScope, signal: AbortSignal | undefined): CallInfo => ({
    operation: "chat",
    ...(name ? { model: name } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
    requestClass: options.requestClass ?? "inference",
    ...(options.breakerKey ? { breakerKey: options.breakerKey } : {}),
    ...(signal ? { signal } : {}),
    attributes: scope.attributes,
  });
  const withSignal = (options: Record<string, unknown> | undefined, signal: AbortSignal) => ({
    ...options,
    signal: options?.signal instanceof AbortSignal ? AbortSignal.any([options.signal, signal]) : signal,
  });

  const generate = m._generate;
  const patched: Record<PropertyKey, unknown> = {
    [governedBy]: governor,
    async _generate(
      this: Patchable,
      messages: BaseMessage[],
      callOptions: CallOptions,
      runManager?: CallbackManagerForLLMRun,
    ) {
      const scope = await runScopeOf(runManager);
      return inRunScope(scope, () =>
        runGoverned(
          governor,
          (ctx) => generate.call(this, messages, withSignal(callOptions, ctx.signal), runManager),
          infoOf(scope, callOptions?.signal),
        ),
      ).catch((error: unknown) => {
        throw toLangChainError(error);
      });
    },
    withConfig(this: Patchable, config: unknown) {
      const bound = withConfig.call(this, config);
      // ChatOpenAI's withConfig builds a new model from its fields: govern that one too.
      return typeof bound === "object" &&
        bound !== null &&
        typeof (bound as Patchable)._generate === "function"
        ? withGovernor(bound as BaseChatModel, governor, options)
        : bound;
    },
  };
  const withConfig = m.withConfig;
  const stream = m._streamResponseChunks;
  if (stream !== BaseChatModel.prototype._streamResponseChunks) {
    patched._streamResponseChunks = async function* (
      this: Patchable,
      messages: BaseMessage[],
      callOptions: CallOptions,
      runManager?: CallbackManagerForLLMRun,
    ): AsyncGenerator<ChatGenerationChunk> {
      const scope = await runScopeOf(runManager);
      let usage: { input_tokens?: number; output_tokens?: number } | undefined;
      const chunks = governedStream<ChatGenerationChunk>(governor, infoOf(scope, callOptions?.signal), {
        within: (fn) => inRunScope(scope, fn),
        open: (signal) => stream.call(this, messages, withSignal(callOptions, signal), runManager),
        onItem: (chunk) => {
          const u = (chunk.message as { usage_metadata?: typeof usage }).usage_metadata;
          if (u) usage = u;
        },
        // A stream's usage is in its chunks (governedFetch reads only JSON answers).
        onEnd: (report) => {
          if (usage) report({ inputTokens: usage.input_tokens, outputTokens: usage.output_tokens });
        },
      });
      try {
        yield* chunks;
      } catch (error) {
        throw toLangChainError(error);
      }
    };
    // Models with native event streaming (ChatOpenAI) would bypass the governed stream:
    // bridge their events from it, as BaseChatModel does.
    if (typeof m._streamChatModelEvents === "function")
      patched._streamChatModelEvents = BaseChatModel.prototype._streamChatModelEvents;
  }
  for (const key of Reflect.ownKeys(patched))
    Object.defineProperty(model, key, {
      value: patched[key],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  return model;
}
