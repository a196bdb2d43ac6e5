import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyRequest } from "./classify-request.js";

describe("classifyRequest", () => {
  it("puts Hub mapping look-ups in `api`, files in `resolvers`, pages in `pages`", () => {
    expect(
      classifyRequest(
        "https://huggingface.co/api/models/meta-llama/Llama-3.1-8B?expand[]=inferenceProviderMapping",
      ),
    ).toEqual({
      requestClass: "api",
      operation: "hub_lookup",
      model: "meta-llama/Llama-3.1-8B",
      provider: undefined,
      breakerKey: "hub",
    });
    expect(classifyRequest("https://huggingface.co/api/whoami-v2").requestClass).toBe("api");
    expect(classifyRequest("https://huggingface.co/gpt2/resolve/main/config.json")).toMatchObject({
      requestClass: "resolvers",
      model: "gpt2",
    });
    expect(classifyRequest("https://huggingface.co/openai-community/gpt2").requestClass).toBe("pages");
  });

  it("maps router and hf-inference URLs to `inference` with one breaker per provider", () => {
    expect(classifyRequest("https://router.huggingface.co/v1/chat/completions", "POST", "org/m")).toEqual({
      requestClass: "inference",
      operation: "chat",
      provider: "auto",
      model: "org/m",
      breakerKey: "auto",
    });
    expect(
      classifyRequest("https://router.huggingface.co/v1/chat/completions", "POST", "org/m:together"),
    ).toMatchObject({
      provider: "together",
      model: "org/m",
      breakerKey: "together",
    });
    expect(
      classifyRequest("https://router.huggingface.co/v1/chat/completions", "POST", "org/m:fastest"),
    ).toMatchObject({ provider: "auto" });
    expect(
      classifyRequest("https://router.huggingface.co/together/v1/chat/completions", "POST", "x"),
    ).toMatchObject({
      operation: "chat",
      provider: "together",
      breakerKey: "together",
    });
    expect(
      classifyRequest("https://router.huggingface.co/novita/v3/openai/chat/completions", "POST").provider,
    ).toBe("novita");
    expect(
      classifyRequest(
        "https://router.huggingface.co/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction",
        "POST",
      ),
    ).toMatchObject({
      operation: "embeddings",
      provider: "hf-inference",
      model: "sentence-transformers/all-MiniLM-L6-v2",
    });
    expect(
      classifyRequest("https://router.huggingface.co/hf-inference/models/gpt2/v1/completions", "POST"),
    ).toMatchObject({ operation: "text_completion", model: "gpt2" });
    expect(classifyRequest("https://api-inference.huggingface.co/models/gpt2", "POST")).toMatchObject({
      requestClass: "inference",
      provider: "hf-inference",
      model: "gpt2",
    });
  });

  it("reads a baseUrl standing for Hugging Face like Hugging Face, other hosts as their own provider", () => {
    const base = "http://127.0.0.1:9999";
    expect(classifyRequest(`${base}/api/models/gpt2`, "GET", undefined, base).requestClass).toBe("api");
    expect(classifyRequest(`${base}/v1/chat/completions`, "POST", "m", base)).toMatchObject({
      requestClass: "inference",
      provider: "auto",
    });
    expect(
      classifyRequest("https://x.endpoints.huggingface.cloud/v1/chat/completions", "POST"),
    ).toMatchObject({
      provider: "hf-endpoint",
      breakerKey: "x.endpoints.huggingface.cloud",
      operation: "chat",
    });
  });

  it("never throws, whatever the URL", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (url, method) => {
        const c = classifyRequest(url, method);
        expect(["api", "resolvers", "pages", "inference"]).toContain(c.requestClass);
      }),
    );
  });
});
