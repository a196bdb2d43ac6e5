import { describe, expect, it } from "vitest";
import { Catalogue, costUsd, DEFAULT_CATALOGUE } from "./catalogue.js";

const catalogue = new Catalogue(DEFAULT_CATALOGUE);
const llama = "meta-llama/Llama-3.1-8B-Instruct";
const providerOf = (requested: string, path?: string) => {
  const route = catalogue.route(requested, path);
  return "kind" in route ? route.kind : route.provider.provider;
};

describe("Catalogue.route", () => {
  it("routes the default and :auto to the fastest, and honours :provider, :fastest and :cheapest", () => {
    expect(providerOf(llama)).toBe("cerebras");
    expect(providerOf(`${llama}:auto`)).toBe("cerebras");
    expect(providerOf(`${llama}:novita`)).toBe("novita");
    expect(providerOf(`${llama}:fastest`)).toBe("cerebras");
    expect(providerOf(`${llama}:cheapest`)).toBe("novita");
  });

  it("ranks :cheapest by output-token price alone", () => {
    // DeepSeek-V3: novita is cheapest on input (0.40) but dearest on output (1.30).
    expect(providerOf("deepseek-ai/DeepSeek-V3:cheapest")).toBe("fireworks-ai");
  });

  it("follows the user's order for :preferred, then the catalogue's", () => {
    const route = (preferred?: string[]) => {
      const r = catalogue.route(`${llama}:preferred`, undefined, { preferred });
      return "kind" in r ? r.kind : r.provider.provider;
    };
    expect(route()).toBe("together");
    expect(route(["novita", "cerebras"])).toBe("novita");
    expect(route(["groq", "cerebras"])).toBe("cerebras");
  });

  it("fails over to the next provider when one is unavailable, and refuses a pinned one", () => {
    const down = (names: string[]) => ({ available: (p: string) => !names.includes(p) });
    const route = (requested: string, names: string[]) => {
      const r = catalogue.route(requested, undefined, down(names));
      return "kind" in r ? r.kind : r.provider.provider;
    };
    expect(route(llama, ["cerebras"])).toBe("together");
    expect(route(`${llama}:cheapest`, ["novita"])).toBe("cerebras");
    expect(route(`${llama}:novita`, ["novita"])).toBe("provider-unavailable");
    expect(route(llama, ["cerebras", "together", "novita"])).toBe("no-provider-available");
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
