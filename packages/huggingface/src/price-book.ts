import { usageOf } from "./usage.js";

/** USD per million tokens, in and out. */
export interface Price {
  readonly inputPerMTokUsd: number;
  readonly outputPerMTokUsd: number;
}

/** Prices keyed by Hub model id (any provider) or `"model:provider"` (that provider only). */
export type PriceBookEntries = Readonly<Record<string, Price>>;

/**
 * EXAMPLES, not Hugging Face's prices. Round numbers in the range partner providers charged
 * for these models in 2025, so that budgets do something sensible out of the box. Real
 * prices differ per provider and change: pass your own `priceBook` (see docs/huggingface.md).
 */
export const DEFAULT_PRICE_BOOK: PriceBookEntries = {
  "meta-llama/Llama-3.1-8B-Instruct": { inputPerMTokUsd: 0.2, outputPerMTokUsd: 0.2 },
  "meta-llama/Llama-3.3-70B-Instruct": { inputPerMTokUsd: 0.9, outputPerMTokUsd: 0.9 },
  "Qwen/Qwen2.5-7B-Instruct": { inputPerMTokUsd: 0.3, outputPerMTokUsd: 0.3 },
  "Qwen/Qwen2.5-72B-Instruct": { inputPerMTokUsd: 1.2, outputPerMTokUsd: 1.2 },
  "deepseek-ai/DeepSeek-V3": { inputPerMTokUsd: 1.25, outputPerMTokUsd: 1.25 },
  "deepseek-ai/DeepSeek-R1": { inputPerMTokUsd: 3, outputPerMTokUsd: 7 },
  "openai/gpt-oss-120b": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
};

function validPrice(key: string, price: unknown): Price {
  const p = price as Partial<Price> | null;
  for (const field of ["inputPerMTokUsd", "outputPerMTokUsd"] as const) {
    const v = p?.[field];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw new TypeError(
        `Expected \`priceBook["${key}"].${field}\` to be a non-negative number, got \`${String(v)}\` (${typeof v})`,
      );
  }
  return { inputPerMTokUsd: p!.inputPerMTokUsd!, outputPerMTokUsd: p!.outputPerMTokUsd! };
}

/**
 * Turns token usage into USD. Looks up `"model:provider"` first, then `"model"`; a model
 * it does not know costs `undefined` (the governor then keeps the reserved estimate).
 *
 * @example
 * const prices = new PriceBook({ "my-org/my-model": { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.4 } });
 * prices.cost("my-org/my-model", undefined, { inputTokens: 1000, outputTokens: 500 }); // 0.0003
 */
export class PriceBook {
  readonly #entries: ReadonlyMap<string, Price>;

  /**
   * @param overrides merged over `defaults` (pass `false` as `defaults` to start empty).
   * @param defaults @default DEFAULT_PRICE_BOOK
   */
  constructor(overrides: PriceBookEntries = {}, defaults: PriceBookEntries | false = DEFAULT_PRICE_BOOK) {
    if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides))
      throw new TypeError(`Expected \`priceBook\` to be an object of prices, got \`${String(overrides)}\``);
    const entries = new Map<string, Price>();
    for (const [key, price] of Object.entries(defaults || {})) entries.set(key, price);
    for (const [key, price] of Object.entries(overrides)) entries.set(key, validPrice(key, price));
    this.#entries = entries;
  }

  /** The price of `model` on `provider` (`"model:provider"`, then `"model"`). */
  priceOf(model: string | undefined, provider: string | undefined): Price | undefined {
    if (model === undefined) return undefined;
    return (provider && this.#entries.get(`${model}:${provider}`)) || this.#entries.get(model);
  }

  /** USD for the given tokens, or `undefined` when the model has no price. */
  cost(
    model: string | undefined,
    provider: string | undefined,
    tokens: { readonly inputTokens?: number | undefined; readonly outputTokens?: number | undefined },
  ): number | undefined {
    const price = this.priceOf(model, provider);
    if (!price) return undefined;
    return (
      ((tokens.inputTokens ?? 0) * price.inputPerMTokUsd +
        (tokens.outputTokens ?? 0) * price.outputPerMTokUsd) /
      1e6
    );
  }

  /** USD of a response body's `usage` (JSON or a stream's last chunk). */
  costOfBody(model: string | undefined, provider: string | undefined, body: unknown): number | undefined {
    const usage = usageOf(body);
    return usage ? this.cost(model, provider, usage) : undefined;
  }
}
