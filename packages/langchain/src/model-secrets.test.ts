import { inspect } from "node:util";
import { createGovernor } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { ChatHuggingFace } from "./chat-hugging-face.js";
import { HuggingFaceInferenceEmbeddings } from "./hugging-face-embeddings.js";
import { HuggingFaceInference } from "./hugging-face-inference.js";

const TOKEN = "hf_ModelSecretsCanary0123";
const governor = createGovernor({ name: "model-secrets" });
afterAll(() => governor.close());

describe("the models keep the token to themselves", () => {
  const models = [
    new ChatHuggingFace({ model: "m", governor, apiKey: TOKEN, temperature: 0.2 }),
    new HuggingFaceInference({ model: "m", governor, apiKey: TOKEN }),
    new HuggingFaceInferenceEmbeddings({ model: "m", governor, apiKey: TOKEN }),
  ];

  it.each(models)("%# prints and serializes no part of it, and still uses it", (model) => {
    expect(model.apiKey).toBe(TOKEN);
    for (const text of [
      inspect(model, { depth: 12, showHidden: true }),
      JSON.stringify(model),
      JSON.stringify((model as { lc_kwargs?: unknown }).lc_kwargs ?? {}),
    ]) {
      expect(text).not.toContain(TOKEN.slice(3, 15));
      expect(text).not.toContain("model-secrets"); // nor the governor
    }
  });

  it("serializes a reference to the HF_TOKEN secret, as LangChain's own models do", () => {
    const json = JSON.parse(JSON.stringify(models[0])) as { type: string; kwargs: Record<string, unknown> };
    expect(json.type).toBe("constructor");
    expect(json.kwargs.api_key).toEqual({ lc: 1, type: "secret", id: ["HF_TOKEN"] });
    expect(json.kwargs).toMatchObject({ model: "m", temperature: 0.2, max_retries: 0 });
    expect(json.kwargs.governor).toBeUndefined();
  });
});
