import { afterEach, describe, expect, it } from "vitest";
import type { SimulatorOptions } from "./options.js";
import { type Simulator, startSimulator } from "./server.js";
import { call, chat } from "./test-support.js";

const FAST: SimulatorOptions = {
  latency: false,
  coldStart: false,
  tokensPerSecond: Number.POSITIVE_INFINITY,
  spike: false,
};
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
const start = async (options: SimulatorOptions = {}) => {
  sim = await startSimulator({ ...FAST, ...options });
  return sim.url;
};

describe("authentication", () => {
  it("answers 401 without a token or with an unknown one, in each route's style", async () => {
    const url = await start();
    const missing = await call(url, "/v1/chat/completions", { token: null, body: chat() });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    const unknown = await call(url, "/hf-inference/models/openai-community/gpt2", {
      token: "hf_nope",
      body: { inputs: "x" },
    });
    expect(unknown).toMatchObject({
      status: 401,
      body: { error: "Invalid credentials in Authorization header" },
    });
    expect((await call(url, "/api/models/openai-community/gpt2", { token: "hf_nope" })).status).toBe(401);
    expect((await call(url, "/api/whoami-v2", { token: null })).status).toBe(401);
  });

  it("accepts any hf_ token as a default tier when asked", async () => {
    const url = await start({ acceptAnyToken: "enterprise" });
    const ok = await call(url, "/api/models/openai-community/gpt2", { token: "hf_anything_goes" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-policy")).toBe('"fixed window";"api";q=6000;w=300');
    expect((await call(url, "/v1/chat/completions", { token: "sk-not-hf", body: chat() })).status).toBe(401);
  });

  it("tells whoami the token's tier and orgs", async () => {
    const url = await start({
      tokens: { hf_me: { tier: "pro", orgs: ["acme"] } },
      orgs: { acme: { tier: "enterprise" } },
    });
    const me = await call(url, "/api/whoami-v2", { token: "hf_me" });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      type: "user",
      isPro: true,
      orgs: [{ name: "acme", plan: "enterprise" }],
    });
    expect(JSON.stringify(me.body)).not.toContain("hf_me");
  });
});

describe("bad requests on the router", () => {
  it("answers 400 for malformed JSON and missing messages or model", async () => {
    const url = await start();
    const malformed = await call(url, "/v1/chat/completions", { rawBody: "{nope" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    expect((await call(url, "/v1/chat/completions", { body: { model: "x" } })).status).toBe(400);
    expect(
      (await call(url, "/v1/chat/completions", { body: { messages: [{ role: "user", content: "x" }] } }))
        .status,
    ).toBe(400);
  });

  it("answers 404 for an unknown model and 400 for a provider that does not serve it", async () => {
    const url = await start();
    const unknown = await call(url, "/v1/chat/completions", { body: chat("nobody/nothing") });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      message: "The requested model 'nobody/nothing' does not exist.",
      code: "model_not_found",
    });
    const provider = await call(url, "/v1/chat/completions", {
      body: chat("deepseek-ai/DeepSeek-V3:cerebras"),
    });
    expect(provider.status).toBe(400);
    expect((await call(url, "/groq/v1/chat/completions", { body: chat() })).status).toBe(400);
    expect((await call(url, "/v1/chat/completions", { body: chat("openai-community/gpt2") })).status).toBe(
      400,
    );
  });

  it("answers 422 for invalid values", async () => {
    const url = await start();
    const cases = [
      chat(undefined, "x", { temperature: 5 }),
      chat(undefined, "x", { max_tokens: 0 }),
      chat(undefined, "x", { top_p: 0 }),
      chat(undefined, "x", { stream: "yes" }),
      chat(undefined, "x", { tools: [{ type: "function" }] }),
      { model: "meta-llama/Llama-3.1-8B-Instruct", messages: [{ role: "wizard", content: "x" }] },
      chat("Qwen/Qwen2.5-7B-Instruct", "x", { max_tokens: 40_000 }),
    ];
    for (const body of cases) {
      const answer = await call(url, "/v1/chat/completions", { body });
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.body.error.type).toBe("invalid_request_error");
    }
  });

  it("answers 404 for unknown paths and 405 for wrong methods", async () => {
    const url = await start();
    expect((await call(url, "/nothing/here/at/all")).status).toBe(404);
    expect((await call(url, "/v1/chat/completions")).status).toBe(405);
    expect((await call(url, "/api/models/nobody/nothing")).body).toEqual({ error: "Repository not found" });
  });
});

describe("bad requests on hf-inference", () => {
  const gpt2 = "/hf-inference/models/openai-community/gpt2";

  it("answers TGI-style 422 validation errors and {error} bodies", async () => {
    const url = await start();
    const empty = await call(url, gpt2, { body: { inputs: "" } });
    expect(empty).toMatchObject({ status: 422, body: { error_type: "validation" } });
    expect(empty.body.error).toMatch(/^Input validation error: /);
    const tooLong = await call(url, gpt2, { body: { inputs: "x", parameters: { max_new_tokens: 5000 } } });
    expect(tooLong.body.error).toMatch(/must be <= 1024/);
    expect((await call(url, gpt2, { rawBody: "[" })).body).toEqual({
      error: "Failed to parse the request body as JSON.",
    });
    expect((await call(url, "/hf-inference/models/nobody/nothing", { body: { inputs: "x" } })).status).toBe(
      404,
    );
    expect((await call(url, `${gpt2}/pipeline/feature-extraction`, { body: { inputs: "x" } })).status).toBe(
      400,
    );
    const embed = "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2";
    expect((await call(url, embed, { body: { inputs: [] } })).status).toBe(422);
  });

  it("serves the classic text-generation and feature-extraction shapes", async () => {
    const url = await start();
    const generated = await call(url, gpt2, {
      body: { inputs: "Once upon", parameters: { max_new_tokens: 5 } },
    });
    expect(generated.status).toBe(200);
    expect(generated.body).toHaveLength(1);
    expect(generated.body[0].generated_text).toMatch(/^Once upon .+/);
    expect(generated.headers.get("x-inference-provider")).toBe("hf-inference");
    const only = await call(url, gpt2, {
      body: { inputs: "Once upon", parameters: { return_full_text: false } },
    });
    expect(only.body[0].generated_text.startsWith("Once")).toBe(false);
    const embed = "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2";
    const one = await call(url, embed, { body: { inputs: "hello" } });
    expect(one.body).toHaveLength(384);
    const batch = await call(url, `${embed}/pipeline/feature-extraction`, {
      body: { inputs: ["hello", "world"] },
    });
    expect(batch.body).toHaveLength(2);
    expect(batch.body[0]).toEqual(one.body);
    const similarity = await call(url, `${embed}/pipeline/sentence-similarity`, {
      body: { inputs: { source_sentence: "hello", sentences: ["hello", "world"] } },
    });
    expect(similarity.body[0]).toBeCloseTo(1);
    expect(Math.abs(similarity.body[1])).toBeLessThan(0.5);
  });
});
