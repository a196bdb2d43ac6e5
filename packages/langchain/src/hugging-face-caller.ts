import { InferenceClient } from "@huggingface/inference";
import { type CallInfo, closestName, type Governor, registerSecret, unknownOption } from "@swarmgate/core";
import {
  estimateTokens,
  governedFetch,
  maxTokensOf,
  PriceBook,
  type PriceBookEntries,
  runGoverned,
  StreamUsage,
  toGovernedError,
} from "@swarmgate/huggingface";
import { governedStream } from "./governed-stream.js";
import type { RunScope } from "./governor-callback-handler.js";
import { toLangChainError } from "./langchain-errors.js";
import { inRunScope } from "./run-scope.js";

/** Options shared by every Hugging Face model of this package: the token, the route, the governance. */
export interface HuggingFaceGovernanceFields {
  /** The governor every call goes through (the quota scope of this token). */
  readonly governor: Governor;
  /** The Hugging Face token. @default process.env.HF_TOKEN ?? process.env.HUGGINGFACEHUB_API_KEY */
  readonly apiKey?: string | undefined;
  /** The inference provider (`together`, `hf-inference`, …) or `auto` (the router chooses). @default "auto" */
  readonly provider?: string | undefined;
  /** A dedicated Inference Endpoint instead of the router. */
  readonly endpointUrl?: string | undefined;
  /** The organization to bill (`X-HF-Bill-To`); give it a governor of its own. */
  readonly billTo?: string | undefined;
  /**
   * Sends every Hugging Face host to this base instead (the simulator, a proxy), path and
   * query unchanged. @default none
   */
  readonly baseUrl?: string | undefined;
  /** Prices per model, merged over the huggingface package's `DEFAULT_PRICE_BOOK`. */
  readonly priceBook?: PriceBook | PriceBookEntries | undefined;
  /** Output tokens assumed by the cost estimate when a call sets no limit. @default 256 */
  readonly defaultOutputTokens?: number | undefined;
  /** The transport under the governance. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
}

type CallArgs = Record<string, unknown>;

// The fields each model takes, as listed by its `…Input` interface, besides the governance.
const GOVERNANCE_FIELDS = [
  "governor",
  "apiKey",
  "provider",
  "endpointUrl",
  "billTo",
  "baseUrl",
  "priceBook",
  "defaultOutputTokens",
  "fetch",
] satisfies readonly (keyof HuggingFaceGovernanceFields)[];
const MODEL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ChatHuggingFace: [
    "model",
    "temperature",
    "maxTokens",
    "topP",
    "frequencyPenalty",
    "presencePenalty",
    "stop",
    "seed",
    "streaming",
    "streamUsage",
    "modelKwargs",
  ],
  HuggingFaceInference: [
    "model",
    "temperature",
    "maxTokens",
    "stopSequences",
    "topP",
    "topK",
    "frequencyPenalty",
  ],
  HuggingFaceInferenceEmbeddings: ["model", "batchSize"],
};
// LangChain's own constructor fields (BaseLanguageModelParams, BaseChatModelParams,
// AsyncCallerParams): passed through to LangChain untouched.
const LANGCHAIN_FIELDS = [
  "verbose",
  "callbacks",
  "tags",
  "metadata",
  "callbackManager",
  "cache",
  "maxConcurrency",
  "maxRetries",
  "onFailedAttempt",
  "disableStreaming",
  "outputVersion",
];

/**
 * @internal Refuses a field that is none of the model's, swarmgate's or LangChain's but a
 * typo of one (`govenor`, `baseURL`, `maxToken`): it would silently do nothing. A field far
 * from every known one is left to LangChain, whose parameters grow between versions.
 */
export function expectKnownFields(model: string, fields: object): void {
  const known = [...GOVERNANCE_FIELDS, ...(MODEL_FIELDS[model] ?? []), ...LANGCHAIN_FIELDS];
  for (const key of Object.keys(fields))
    if (!known.includes(key) && closestName(key, known) !== undefined)
      unknownOption(key, `\`${model}\` fields`, known);
}

// Fields a model keeps out of its `lc_kwargs` (printed by `console.log(model)` and
// serialized by `toJSON()`): the token (`lc_secrets` serializes a reference to it instead)
// and live objects that serialize to nothing useful.
const UNSERIALIZABLE = new Set(["apiKey", "governor", "fetch", "priceBook"]);

/** @internal The fields a model gives LangChain's `Serializable`: no token, no governor. */
export function serializableFields<F extends object>(fields: F): F {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !UNSERIALIZABLE.has(key))) as F;
}

/**
 * @internal A real `InferenceClient` whose requests go through `governedFetch`, called
 * inside `runGoverned`: each model call is one logical call of the governor (its HTTP
 * requests are the call's attempts), with the LangChain run's span context and attributes.
 * Errors get a top-level `status` that LangChain classifies.
 */
export class HuggingFaceCaller {
  readonly governor: Governor;
  readonly client: InferenceClient;
  readonly provider: string;
  readonly endpointUrl: string | undefined;
  readonly billTo: string | undefined;
  readonly #priceBook: PriceBook;
  readonly #defaultOutputTokens: number;
  readonly #apiKey: string | undefined;

  constructor(fields: HuggingFaceGovernanceFields) {
    const g = fields.governor as Partial<Governor> | undefined;
    if (typeof g !== "object" || g === null || typeof g.run !== "function")
      throw new TypeError(
        `Expected \`governor\` to be a Governor (from createGovernor), got \`${String(fields.governor)}\``,
      );
    for (const key of ["apiKey", "provider", "endpointUrl", "billTo"] as const)
      if (fields[key] !== undefined && typeof fields[key] !== "string")
        throw new TypeError(`Expected \`${key}\` to be a string, got \`${String(fields[key])}\``);
    this.governor = fields.governor;
    this.provider = fields.provider ?? (fields.endpointUrl ? "hf-endpoint" : "auto");
    this.endpointUrl = fields.endpointUrl;
    this.billTo = fields.billTo;
    this.#priceBook =
      fields.priceBook instanceof PriceBook ? fields.priceBook : new PriceBook(fields.priceBook ?? {});
    this.#defaultOutputTokens = fields.defaultOutputTokens ?? 256;
    const apiKey = fields.apiKey ?? process.env.HF_TOKEN ?? process.env.HUGGINGFACEHUB_API_KEY;
    registerSecret(apiKey);
    this.#apiKey = apiKey;
    // The same governor for the fetch and for runGoverned: the requests join the call
    // instead of starting calls of their own (two nested calls could wait for each other).
    const fetch = governedFetch(this.governor, {
      priceBook: this.#priceBook,
      defaultOutputTokens: this.#defaultOutputTokens,
      ...(fields.baseUrl === undefined ? {} : { baseUrl: fields.baseUrl }),
      ...(fields.fetch === undefined ? {} : { fetch: fields.fetch }),
    });
    this.client = new InferenceClient(apiKey, {
      fetch,
      retry_on_error: false,
      ...(fields.endpointUrl ? { endpointUrl: fields.endpointUrl } : {}),
      ...(fields.billTo ? { billTo: fields.billTo } : {}),
    });
  }

  /** The token the client sends. */
  get apiKey(): string | undefined {
    return this.#apiKey;
  }

  /** The governor's call info: operation, model, routed provider, cost estimate, run attributes. */
  info(operation: string, model: string, args: CallArgs, scope: RunScope, signal?: AbortSignal): CallInfo {
    let provider = this.provider;
    let hubModel = model;
    const colon = model.lastIndexOf(":");
    if (colon > 0 && provider === "auto") {
      hubModel = model.slice(0, colon);
      const suffix = model.slice(colon + 1);
      if (suffix !== "fastest" && suffix !== "cheapest") provider = suffix;
    }
    const estimate = this.#priceBook.cost(
      hubModel,
      provider,
      estimateTokens(args, this.#defaultOutputTokens),
    );
    const maxTokens = maxTokensOf(args);
    return {
      operation,
      model: hubModel,
      provider,
      requestClass: "inference",
      breakerKey: this.endpointUrl ? hostOf(this.endpointUrl) : provider,
      ...(estimate === undefined ? {} : { estimatedCostUsd: estimate }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(signal ? { signal } : {}),
      attributes: scope.attributes,
    };
  }

  /** One governed call: `fn` is each attempt, with the attempt's signal. */
  call<T>(info: CallInfo, scope: RunScope, fn: (client: InferenceClient, signal: AbortSignal) => Promise<T>) {
    return inRunScope(scope, () =>
      runGoverned(
        this.governor,
        async (ctx) => {
          try {
            return await fn(this.client, ctx.signal);
          } catch (error) {
            throw toGovernedError(error, undefined, Date.now());
          }
        },
        info,
      ),
    ).catch((error: unknown) => {
      throw toLangChainError(error);
    });
  }

  /** One governed stream: retried until its first chunk, then holds its slot; usage accounted at the end. */
  async *stream<T>(
    info: CallInfo,
    scope: RunScope,
    open: (client: InferenceClient, signal: AbortSignal) => AsyncIterable<T>,
  ): AsyncGenerator<T> {
    const usage = new StreamUsage();
    const stream = governedStream(this.governor, info, {
      within: (fn) => inRunScope(scope, fn),
      open: (signal) => open(this.client, signal),
      convertError: (error) => toGovernedError(error, undefined, Date.now()),
      onItem: (chunk) => usage.add(chunk),
      onEnd: (report, respond) => {
        const answer = usage.response;
        if (answer) respond(answer);
        const u = usage.usage;
        if (u) report({ ...u, costUsd: this.#priceBook.cost(info.model, info.provider, u) });
      },
    });
    try {
      yield* stream;
    } catch (error) {
      throw toLangChainError(error);
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
