import { InferenceClient, type Options } from "@huggingface/inference";
import { type CallInfo, type Governor, markFinal, registerSecret } from "@swarmgate/core";
import { maxTokensOf, reportAnswer } from "./answer.js";
import { type CallScope, runInScope } from "./call-scope.js";
import { toGovernedError } from "./errors.js";
import { createSeam } from "./governed-fetch.js";
import {
  expectGovernor,
  GOVERNANCE_OPTION_KEYS,
  type GovernanceOptions,
  governorOf,
  type ResolvedGovernance,
  resolveGovernance,
} from "./options.js";
import { scaleServerTime } from "./server-time-scale.js";
import { recordTimeToFirstChunk } from "./telemetry.js";
import { estimateTokens, StreamUsage } from "./usage.js";

/** Options of {@link GovernedInferenceClient}: the client's own, plus the governor and governance. */
export interface GovernedInferenceClientOptions extends Options, Omit<GovernanceOptions, "fetch"> {
  /** The governor every call goes through (the quota scope of this token). */
  readonly governor: Governor;
  /** A dedicated endpoint (as for `InferenceClient`). */
  readonly endpointUrl?: string;
  /** Must be `false` or absent: the governor owns retries. @default false */
  readonly retry_on_error?: boolean;
}

// The client's keys: the governance, the governor, and InferenceClient's own `Options`.
const CLIENT_OPTION_KEYS: ReadonlySet<string> = new Set<string>([
  ...GOVERNANCE_OPTION_KEYS,
  ...([
    "governor",
    "endpointUrl",
    "signal",
    "includeCredentials",
    "billTo",
  ] satisfies readonly (keyof GovernedInferenceClientOptions)[]),
]);

type Method = (args: Record<string, unknown>, options?: Options) => unknown;

// Methods returning async generators: governed until the first chunk, then the slot is held.
const STREAMING = new Set(["chatCompletionStream", "textGenerationStream", "streamingRequest"]);
// `gen_ai.operation.name` of the GenAI conventions where one exists, else the task in snake case.
const OPERATIONS: Readonly<Record<string, string>> = {
  chatCompletion: "chat",
  chatCompletionStream: "chat",
  textGeneration: "text_completion",
  textGenerationStream: "text_completion",
  featureExtraction: "embeddings",
  sentenceSimilarity: "embeddings",
};
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// Runs no code of InferenceClient's constructor: it defines the task methods as read-only,
// non-configurable properties, which a governed subclass could not replace. The prototype
// is the real one, so `instanceof InferenceClient` holds and the types are the client's.
function InferenceClientShape(): void {}
InferenceClientShape.prototype = InferenceClient.prototype;
const InferenceClientBase = InferenceClientShape as unknown as typeof InferenceClient;

/**
 * A drop-in `InferenceClient` whose every call goes through a swarmgate governor: same
 * methods, same arguments, same results. Each task method call is one logical call
 * (budget → retries → breaker per provider → quota → concurrency → timeout) whose
 * attempts are the client's own HTTP requests, observed at its `fetch` seam; the client's
 * immediate 503 retry is off. Hub look-ups are their own calls in the `api` bucket, shared
 * by concurrent first calls. Streams hold their concurrency slot until they end or are
 * abandoned. HTTP errors become {@link HuggingFaceApiError} (top-level `status`), 402
 * becomes `BudgetExceededError`. The token is registered with `registerSecret`.
 *
 * @example
 * const hf = new GovernedInferenceClient(process.env.HF_TOKEN, { governor });
 * const out = await hf.chatCompletion({ model: "meta-llama/Llama-3.1-8B-Instruct", messages });
 */
export class GovernedInferenceClient extends InferenceClientBase {
  /** The governor calls go through unless `governorFor` picks another for their `billTo`. */
  readonly governor: Governor;
  readonly #token: string | undefined;
  readonly #options: GovernedInferenceClientOptions;
  readonly #o: ResolvedGovernance;

  constructor(accessToken: string | undefined, options: GovernedInferenceClientOptions) {
    super(accessToken, {});
    if (accessToken !== undefined && typeof accessToken !== "string")
      throw new TypeError(`Expected \`accessToken\` to be a string, got \`${typeof accessToken}\``);
    if (typeof options !== "object" || options === null)
      throw new TypeError(
        `Expected \`options\` to be an object with a \`governor\`, got \`${String(options)}\``,
      );
    if (options.endpointUrl !== undefined && typeof options.endpointUrl !== "string")
      throw new TypeError(`Expected \`endpointUrl\` to be a string, got \`${String(options.endpointUrl)}\``);
    this.governor = expectGovernor("governor", options.governor);
    registerSecret(accessToken);
    this.#token = accessToken;
    this.#options = options;
    this.#o = resolveGovernance(options, "`GovernedInferenceClient` options", CLIENT_OPTION_KEYS);
    const { governor: _g, governorFor: _gf, baseUrl: _b, priceBook: _p, ...clientOptions } = options;
    const inner = new InferenceClient(accessToken, {
      ...clientOptions,
      fetch: createSeam(this.governor, this.#o),
      retry_on_error: false,
    });
    for (const name of Object.getOwnPropertyNames(inner)) {
      const method = (inner as unknown as Record<string, unknown>)[name];
      if (typeof method !== "function") continue;
      const governed = STREAMING.has(name)
        ? (args: Record<string, unknown>, opts?: Options) => this.#stream(name, method as Method, args, opts)
        : (args: Record<string, unknown>, opts?: Options) => this.#call(name, method as Method, args, opts);
      Object.defineProperty(this, name, {
        value: governed,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }

  /** A governed client for a dedicated endpoint, with the same governor and options. */
  override endpoint(endpointUrl: string): GovernedInferenceClient {
    return new GovernedInferenceClient(this.#token, { ...this.#options, endpointUrl });
  }

  #prepare(name: string, args: Record<string, unknown> | undefined, options: Options | undefined) {
    const { fetch: _f, retry_on_error: _r, signal, ...rest } = options ?? {};
    const governor = governorOf(this.governor, this.#o, rest.billTo ?? this.#options.billTo);
    const endpointUrl = this.#options.endpointUrl;
    let model = typeof args?.model === "string" ? args.model : undefined;
    let provider = typeof args?.provider === "string" ? args.provider : endpointUrl ? "hf-endpoint" : "auto";
    const colon = model?.lastIndexOf(":") ?? -1;
    if (model && colon > 0 && provider === "auto") {
      const suffix = model.slice(colon + 1);
      model = model.slice(0, colon);
      if (suffix !== "fastest" && suffix !== "cheapest") provider = suffix;
    }
    const estimate = this.#o.priceBook.cost(
      model,
      provider,
      estimateTokens(args, this.#o.defaultOutputTokens),
    );
    const maxTokens = maxTokensOf(args);
    const info: CallInfo = {
      operation: OPERATIONS[name] ?? snake(name),
      model,
      provider,
      requestClass: "inference",
      breakerKey: endpointUrl ? safeHost(endpointUrl) : provider,
      ...(estimate === undefined ? {} : { estimatedCostUsd: estimate }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(signal ? { signal } : {}),
    };
    return { governor, info, callOptions: rest as Options, signal, model, provider };
  }

  // Errors of the client get a top-level status; a failed Hub look-up already had its retries.
  #convert(error: unknown, scope: CallScope): unknown {
    const last = scope.lastResponse && scaleServerTime(scope.lastResponse, scope.governor.headerTimeScale);
    const converted = toGovernedError(error, last, Date.now());
    return scope.hubLookupFailed && typeof converted === "object" && converted !== null
      ? markFinal(converted)
      : converted;
  }

  #call(name: string, method: Method, args: Record<string, unknown>, options?: Options): Promise<unknown> {
    const { governor, info, callOptions, model, provider } = this.#prepare(name, args, options);
    return governor.run(
      (ctx) =>
        runInScope(governor, ctx, { model, provider }, async (scope) => {
          try {
            return await method(args, { ...callOptions, signal: ctx.signal });
          } catch (error) {
            throw this.#convert(error, scope);
          }
        }),
      info,
    );
  }

  async *#stream(name: string, method: Method, args: Record<string, unknown>, options?: Options) {
    const { governor, info, callOptions, signal, model, provider } = this.#prepare(name, args, options);
    const abandon = new AbortController();
    const startedAt = performance.now();
    const metric = { operation: info.operation ?? "chat", model, provider };
    const opened = await governor.run(
      (ctx) =>
        runInScope(governor, ctx, { model, provider }, async (scope) => {
          const signals = [ctx.signal, abandon.signal, ...(signal ? [signal] : [])];
          const iterator = method(args, {
            ...callOptions,
            signal: AbortSignal.any(signals),
          }) as AsyncGenerator;
          let first: IteratorResult<unknown>;
          try {
            first = await iterator.next();
          } catch (error) {
            throw this.#convert(error, scope);
          }
          const labels = { ...metric, server: scope.server };
          recordTimeToFirstChunk(governor, labels, (performance.now() - startedAt) / 1000);
          // The slot stays taken until the consumer is done with the stream.
          return { iterator, first, scope, release: ctx.holdSlot(), reportUsage: ctx.reportUsage, ctx };
        }),
      info,
    );
    const usage = new StreamUsage();
    let completed = false;
    try {
      let next = opened.first;
      while (!next.done) {
        usage.add(next.value);
        yield next.value;
        try {
          next = await opened.iterator.next();
        } catch (error) {
          const last = opened.scope.lastResponse;
          throw toGovernedError(
            error,
            last && scaleServerTime(last, opened.scope.governor.headerTimeScale),
            Date.now(),
          );
        }
      }
      completed = true;
    } finally {
      if (!completed) {
        // break, return(), throw() or an error: stop the transfer so the server frees its slot too.
        abandon.abort(new Error("The stream was abandoned by its consumer"));
        await opened.iterator.return(undefined).catch(() => {});
      }
      reportAnswer(opened.ctx, usage.response);
      const u = usage.usage;
      const served = opened.scope.lastResponse?.headers.get("x-inference-provider") ?? undefined;
      if (u)
        opened.reportUsage({
          ...u,
          costUsd: this.#o.priceBook.cost(model, provider === "auto" ? (served ?? provider) : provider, u),
        });
      opened.release();
    }
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
