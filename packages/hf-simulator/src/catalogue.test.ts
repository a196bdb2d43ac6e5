import { describe, expect, it } from "vitest";
import { Catalogue, costUsd, DEFAULT_CATALOGUE } from "./catalogue.js";

const catalogue = new Catalogue(DEFAULT_CATALOGUE);
const llama = "meta-llama/Llama-3.1-8B-Instruct";
const providerOf = (requested: string, path?: string) => {
  const route = catalogue.route(requested, path);
  return "kind" in route ? route.kind : route.provider.provider;
};

describe("Catalogue.route", () => {
  it("routes to the first provider, a named one, the fastest or the cheapest", () => {
    expect(providerOf(llama)).toBe("together");
    expect(providerOf(`${llama}:novita`)).toBe("novita");
    expect(providerOf(`${llama}:fastest`)).toBe("cerebras");
    expect(providerOf(`${llama}:cheapest`)).toBe("novita");
  });

  it("resolves provider paths by provider-side id or Hub id", () => {
    expect(providerOf("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "together")).toBe("together");
    expect(providerOf(llama, "cerebras")).toBe("cerebras");
  });

  it("reports unknown models and unsupported providers", () => {
    expect(providerOf("nope/nope")).toBe("model-not-found");
    expect(providerOf(`${llama}:groq`)).toBe("provider-not-supported");
    expect(providerOf(llama, "groq")).toBe("provider-not-supported");
  });
});

describe("costUsd", () => {
  it("prices tokens per million", () => {
    const provider = {
      provider: "x",
      providerId: "x",
      inputPricePerMillion: 1,
      outputPricePerMillion: 2,
      tokensPerSecond: 1,
    };
    expect(costUsd(provider, 1_000_000, 500_000)).toBe(2);
  });
});
