import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_BOOK, PriceBook } from "./price-book.js";

describe("PriceBook", () => {
  it("prices usage per model, a provider-specific entry first", () => {
    const book = new PriceBook({
      "org/m": { inputPerMTokUsd: 1, outputPerMTokUsd: 2 },
      "org/m:cheap": { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.2 },
    });
    expect(book.cost("org/m", "together", { inputTokens: 1_000_000, outputTokens: 500_000 })).toBe(2);
    expect(book.cost("org/m", "cheap", { inputTokens: 1_000_000, outputTokens: 500_000 })).toBeCloseTo(0.2);
    expect(book.cost("unknown/model", undefined, { inputTokens: 10 })).toBeUndefined();
    expect(
      book.costOfBody("org/m", undefined, { usage: { prompt_tokens: 10, completion_tokens: 5 } }),
    ).toBeCloseTo(20e-6);
  });

  it("keeps the documented defaults unless told to start empty, and overrides them", () => {
    expect(new PriceBook().priceOf("meta-llama/Llama-3.1-8B-Instruct", undefined)).toEqual(
      DEFAULT_PRICE_BOOK["meta-llama/Llama-3.1-8B-Instruct"],
    );
    expect(new PriceBook({}, false).priceOf("meta-llama/Llama-3.1-8B-Instruct", undefined)).toBeUndefined();
    const own = { inputPerMTokUsd: 9, outputPerMTokUsd: 9 };
    expect(
      new PriceBook({ "meta-llama/Llama-3.1-8B-Instruct": own }).priceOf(
        "meta-llama/Llama-3.1-8B-Instruct",
        "x",
      ),
    ).toEqual(own);
  });

  it("rejects bad prices at construction with a TypeError naming them", () => {
    expect(() => new PriceBook({ m: { inputPerMTokUsd: -1, outputPerMTokUsd: 0 } })).toThrow(
      /Expected `priceBook\["m"\].inputPerMTokUsd` to be a non-negative number, got `-1`/,
    );
    expect(() => new PriceBook([] as never)).toThrow(TypeError);
  });
});
