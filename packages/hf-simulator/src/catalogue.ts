import { chooseProvider, ROUTING_POLICIES, type RoutingContext, type RoutingPolicy } from "./routing.js";

/**
 * The simulated model catalogue: which models exist, which providers serve them under
 * which provider-side id, and at what price. The Hub's provider mapping, routing
 * (`model:provider`, `:fastest`, `:cheapest`, `:preferred`) and credit costs are all read from here.
 */

/** Hub task names the simulator serves. */
export type ModelTask = "conversational" | "text-generation" | "feature-extraction";

/** One provider serving one model. */
export interface CatalogueProvider {
  /** Provider name as used in routes and `model:provider`, e.g. `together`, `hf-inference`. */
  readonly provider: string;
  /** The model id on the provider's side (what the client puts in the body of `/{provider}/v1/...`). */
  readonly providerId: string;
  /** USD per million input tokens. */
  readonly inputPricePerMillion: number;
  /** USD per million output tokens. */
  readonly outputPricePerMillion: number;
  /** Output speed; ranks `:fastest` and paces streams. */
  readonly tokensPerSecond: number;
  /** Mapping status reported by the Hub. @default "live" */
  readonly status?: "live" | "staging";
}

/** One model of the catalogue. */
export interface CatalogueModel {
  /** Hub model id, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
  readonly id: string;
  /** The task its providers serve. */
  readonly task: ModelTask;
  /** Providers, in the order `:preferred` uses when the user has set none. */
  readonly providers: readonly CatalogueProvider[];
  /** Prompt plus completion tokens allowed; more answers 422. @default 8192 */
  readonly contextLength?: number;
  /** Embedding size for feature extraction. @default 384 */
  readonly dimensions?: number;
}

const p = (
  provider: string,
  providerId: string,
  inputPricePerMillion: number,
  outputPricePerMillion: number,
  tokensPerSecond: number,
): CatalogueProvider => ({
  provider,
  providerId,
  inputPricePerMillion,
  outputPricePerMillion,
  tokensPerSecond,
});

/**
 * The default catalogue. Prices and speeds are plausible round numbers, not quotes:
 * override them with the `catalogue` option when a test depends on them.
 */
export const DEFAULT_CATALOGUE: readonly CatalogueModel[] = [
  {
    id: "meta-llama/Llama-3.1-8B-Instruct",
    task: "conversational",
    contextLength: 131072,
    providers: [
      p("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 0.18, 0.18, 120),
      p("novita", "meta-llama/llama-3.1-8b-instruct", 0.02, 0.05, 60),
      p("cerebras", "llama3.1-8b", 0.1, 0.1, 400),
    ],
  },
  {
    id: "Qwen/Qwen2.5-7B-Instruct",
    task: "conversational",
    contextLength: 32768,
    providers: [
      p("together", "Qwen/Qwen2.5-7B-Instruct-Turbo", 0.3, 0.3, 100),
      p("hf-inference", "Qwen/Qwen2.5-7B-Instruct", 0.1, 0.1, 40),
    ],
  },
  {
    id: "deepseek-ai/DeepSeek-V3",
    task: "conversational",
    contextLength: 131072,
    providers: [
      p("fireworks-ai", "accounts/fireworks/models/deepseek-v3", 0.9, 0.9, 60),
      p("novita", "deepseek/deepseek-v3", 0.4, 1.3, 30),
      p("together", "deepseek-ai/DeepSeek-V3", 1.25, 1.25, 50),
    ],
  },
  {
    id: "sentence-transformers/all-MiniLM-L6-v2",
    task: "feature-extraction",
    contextLength: 512,
    dimensions: 384,
    providers: [p("hf-inference", "sentence-transformers/all-MiniLM-L6-v2", 0.01, 0, 5000)],
  },
  {
    id: "openai-community/gpt2",
    task: "text-generation",
    contextLength: 1024,
    providers: [p("hf-inference", "openai-community/gpt2", 0.05, 0.05, 80)],
  },
];

/** A model and the provider chosen to serve a request. */
export interface Route {
  readonly model: CatalogueModel;
  readonly provider: CatalogueProvider;
}

/** Why a model string could not be routed. */
export type RouteFailure =
  | { readonly kind: "model-not-found"; readonly modelId: string }
  | { readonly kind: "provider-not-supported"; readonly modelId: string; readonly provider: string }
  | { readonly kind: "provider-unavailable"; readonly modelId: string; readonly provider: string }
  | { readonly kind: "no-provider-available"; readonly modelId: string };

/** Looks models up and chooses providers. */
export class Catalogue {
  readonly #models: Map<string, CatalogueModel>;

  /** @param models the catalogue entries. */
  constructor(models: readonly CatalogueModel[]) {
    this.#models = new Map(models.map((model) => [model.id, model]));
  }

  /** The model with this Hub id. */
  get(modelId: string): CatalogueModel | undefined {
    return this.#models.get(modelId);
  }

  /**
   * Resolves what a client asked for. `requested` is a Hub id with an optional suffix
   * (`:together`, `:fastest`, `:cheapest`, `:preferred`, `:auto`; none means `:fastest`);
   * `pathProvider` is the provider named by the URL (`/together/v1/chat/completions`), in
   * which case the body names the model by its provider-side id (what `InferenceClient`
   * sends) or by its Hub id. A named provider that is unavailable fails; a policy fails
   * over to the next available provider ({@link chooseProvider}).
   */
  route(requested: string, pathProvider?: string, context: RoutingContext = {}): Route | RouteFailure {
    const available = context.available ?? (() => true);
    if (pathProvider !== undefined) {
      for (const model of this.#models.values()) {
        const provider = model.providers.find(
          (candidate) =>
            candidate.provider === pathProvider &&
            (candidate.providerId === requested || model.id === requested),
        );
        if (provider)
          return available(provider.provider)
            ? { model, provider }
            : { kind: "provider-unavailable", modelId: model.id, provider: provider.provider };
      }
      const known = this.#models.get(requested);
      return known
        ? { kind: "provider-not-supported", modelId: requested, provider: pathProvider }
        : { kind: "model-not-found", modelId: requested };
    }
    const colon = requested.lastIndexOf(":");
    const modelId = colon === -1 ? requested : requested.slice(0, colon);
    const suffix = colon === -1 ? "auto" : requested.slice(colon + 1);
    const model = this.#models.get(modelId);
    if (!model || model.providers.length === 0) return { kind: "model-not-found", modelId };
    if (ROUTING_POLICIES.includes(suffix)) {
      const policy = (suffix === "auto" ? "fastest" : suffix) as RoutingPolicy;
      const provider = chooseProvider(model, policy, context);
      return provider ? { model, provider } : { kind: "no-provider-available", modelId };
    }
    const provider = model.providers.find((candidate) => candidate.provider === suffix);
    if (!provider) return { kind: "provider-not-supported", modelId, provider: suffix };
    return available(provider.provider)
      ? { model, provider }
      : { kind: "provider-unavailable", modelId, provider: suffix };
  }
}

/** USD cost of a call. */
export function costUsd(provider: CatalogueProvider, inputTokens: number, outputTokens: number): number {
  return (
    (inputTokens * provider.inputPricePerMillion + outputTokens * provider.outputPricePerMillion) / 1_000_000
  );
}
