import {
  InferenceClient,
  InferenceClientHubApiError,
  InferenceClientProviderApiError,
  setLogger,
} from "@huggingface/inference";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rewriteHuggingFaceFetch } from "./rewrite-fetch.js";
import { type Simulator, startSimulator } from "./server.js";

// The real client, unmodified: only its `fetch` is pointed at the simulator.
let sim: Simulator;
let client: InferenceClient;
const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

beforeAll(async () => {
  // The client logs its provider choice on every auto-routed call; keep test output quiet.
  const quiet = () => {};
  setLogger({ debug: quiet, info: quiet, log: quiet, warn: console.warn, error: console.error });
  sim = await startSimulator({
    latency: false,
    coldStart: false,
    tokensPerSecond: Number.POSITIVE_INFINITY,
    spike: false,
    quotas: { free: { inference: 1 } },
  });
  client = new InferenceClient("hf_test_pro", { fetch: rewriteHuggingFaceFetch(sim.url) });
});
afterAll(() => sim.close());

describe("@huggingface/inference against the simulator", () => {
  it("runs chatCompletion through the auto router", async () => {
    const out = await client.chatCompletion({
      model: LLAMA,
      messages: [{ role: "user", content: "Hello!" }],
    });
    expect(out.choices[0]?.message.content).toBe(`Simulated reply from ${LLAMA}. You said: "Hello!"`);
    expect(out.choices[0]?.finish_reason).toBe("stop");
    expect(out.model).toBe(LLAMA);
    expect(out.usage).toEqual({ prompt_tokens: 6, completion_tokens: 19, total_tokens: 25 });
  });

  it("resolves a provider through the Hub mapping and calls /{provider}/v1/chat/completions", async () => {
    const out = await client.chatCompletion({
      model: LLAMA,
      provider: "novita",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(out.model).toBe("meta-llama/llama-3.1-8b-instruct");
    expect(out.system_fingerprint).toBeUndefined();
  });

  it("reaches providers whose API path differs (fireworks-ai, novita)", async () => {
    const out = await client.chatCompletion({
      model: "deepseek-ai/DeepSeek-V3",
      provider: "fireworks-ai",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(out.model).toBe("accounts/fireworks/models/deepseek-v3");
  });

  it("routes model:provider suffixes", async () => {
    const out = await client.chatCompletion({
      model: `${LLAMA}:cerebras`,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(out.choices[0]?.message.content).toContain("Hi");
  });

  it("streams with chatCompletionStream, usage in the last chunk", async () => {
    let text = "";
    let last: unknown;
    for await (const chunk of client.chatCompletionStream({
      model: "Qwen/Qwen2.5-7B-Instruct",
      provider: "hf-inference",
      messages: [{ role: "user", content: "Stream please" }],
    })) {
      text += chunk.choices[0]?.delta.content ?? "";
      last = chunk;
    }
    expect(text).toBe('Simulated reply from Qwen/Qwen2.5-7B-Instruct. You said: "Stream please"');
    expect(last).toMatchObject({ choices: [{ finish_reason: "stop" }], usage: { completion_tokens: 18 } });
  });

  it("runs a full tool-calling loop", async () => {
    const messages: Parameters<InferenceClient["chatCompletion"]>[0]["messages"] = [
      { role: "user", content: "What is the weather in Paris?" },
    ];
    const first = await client.chatCompletion({ model: LLAMA, messages, tools: [weatherTool] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.function.name).toBe("get_weather");
    expect(JSON.parse(String(call?.function.arguments))).toEqual({ city: "Paris" });
    messages.push(first.choices[0]!.message, {
      role: "tool",
      tool_call_id: call!.id,
      content: "18°C, cloudy",
    });
    const second = await client.chatCompletion({ model: LLAMA, messages, tools: [weatherTool] });
    expect(second.choices[0]?.message.content).toBe(
      "Here is what I found: get_weather returned 18°C, cloudy.",
    );
  });

  it("runs textGeneration (Hub look-up, then hf-inference /v1/completions)", async () => {
    const out = await client.textGeneration({
      model: "openai-community/gpt2",
      inputs: "Once upon a time",
      parameters: { max_new_tokens: 6 },
    });
    expect(out.generated_text.length).toBeLessThanOrEqual(24);
    expect(out.generated_text.length).toBeGreaterThan(0);
  });

  it("streams textGenerationStream, the same text as textGeneration, usage at the end", async () => {
    const args = {
      model: "openai-community/gpt2",
      inputs: "Once upon a time",
      parameters: { max_new_tokens: 12 },
    };
    const whole = await client.textGeneration(args);
    let text = "";
    let chunks = 0;
    let usage: { completion_tokens?: number } | undefined;
    for await (const chunk of client.textGenerationStream(args)) {
      const event = chunk as unknown as {
        choices: { text: string }[];
        usage?: { completion_tokens: number };
      };
      text += event.choices[0]?.text ?? "";
      chunks++;
      usage = event.usage ?? usage;
    }
    expect(text).toBe(whole.generated_text);
    expect(chunks).toBeGreaterThan(2);
    expect(usage?.completion_tokens).toBe(12);
  });

  it("runs featureExtraction for one input and a batch", async () => {
    const model = "sentence-transformers/all-MiniLM-L6-v2";
    const one = (await client.featureExtraction({ model, inputs: "hello" })) as number[];
    expect(one).toHaveLength(384);
    const norm = Math.sqrt(one.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1);
    const batch = (await client.featureExtraction({ model, inputs: ["hello", "there"] })) as number[][];
    expect(batch).toHaveLength(2);
    expect(batch[0]).toEqual(one);
  });

  it("surfaces the simulator's errors as the client's error types", async () => {
    const unknown = client.chatCompletion({
      model: "nobody/nothing",
      messages: [{ role: "user", content: "x" }],
    });
    await expect(unknown).rejects.toBeInstanceOf(InferenceClientProviderApiError);
    await expect(unknown).rejects.toMatchObject({ httpResponse: { status: 404 } });
    const hub = client.textGeneration({ model: "nobody/nothing", inputs: "x" });
    await expect(hub).rejects.toBeInstanceOf(InferenceClientHubApiError);
    await expect(hub).rejects.toThrow(/Repository not found/);
  });

  it("surfaces 429 with the rate-limit message and 401 for bad tokens", async () => {
    const free = new InferenceClient("hf_test_free", { fetch: rewriteHuggingFaceFetch(sim.url) });
    await free.chatCompletion({ model: LLAMA, messages: [{ role: "user", content: "x" }] });
    const limited = free.chatCompletion({ model: LLAMA, messages: [{ role: "user", content: "x" }] });
    await expect(limited).rejects.toMatchObject({ httpResponse: { status: 429 } });
    const bad = new InferenceClient("hf_unknown", { fetch: rewriteHuggingFaceFetch(sim.url) });
    await expect(
      bad.chatCompletion({ model: LLAMA, messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      httpResponse: { status: 401 },
    });
  });

  it("lets a caller turn off the client's endless 503 retry and see the outage", async () => {
    sim.inject({ outage: true });
    try {
      const out = client.chatCompletion(
        { model: LLAMA, messages: [{ role: "user", content: "x" }] },
        { retry_on_error: false },
      );
      await expect(out).rejects.toMatchObject({ httpResponse: { status: 503 } });
    } finally {
      sim.inject({ outage: false });
    }
  });

  it("bills an org with the client's billTo option", async () => {
    const org = await startSimulator({
      latency: false,
      coldStart: false,
      spike: false,
      tokens: { hf_member: { tier: "team", orgs: ["acme"] } },
      orgs: { acme: { tier: "team", seats: 3 } },
    });
    try {
      const member = new InferenceClient("hf_member", {
        fetch: rewriteHuggingFaceFetch(org.url),
        billTo: "acme",
      });
      await member.chatCompletion({ model: LLAMA, messages: [{ role: "user", content: "x" }] });
      expect(org.stats().orgs.acme?.creditsSpentUsd).toBeGreaterThan(0);
      expect(org.stats().orgs.acme?.creditsRemainingUsd).toBeLessThan(6);
    } finally {
      await org.close();
    }
  });

  it("counts the client's Hub look-ups in the api bucket", () => {
    const stats = sim.stats();
    expect(stats.tokens["hf_…_pro"]?.buckets.api?.admitted).toBeGreaterThan(0);
    expect(stats.tokens.anonymous?.buckets.api?.admitted).toBeGreaterThan(0);
    expect(stats.overQuota).toBe(false);
  });
});
