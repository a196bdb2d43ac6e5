import { InferenceClient, InferenceClientProviderApiError, setLogger } from "@huggingface/inference";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { rewriteHuggingFaceFetch } from "./rewrite-fetch.js";
import { type Simulator, startSimulator } from "./server.js";

// The real client, unmodified, against the simulator's realistic defaults (no invented
// behaviour turned on). Its `fetch` seam is wrapped only to look at the answers' headers.
const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
let sim: Simulator | undefined;
const seen: Response[] = [];
const client = (token: string, options: { billTo?: string } = {}) => {
  const target = sim?.url ?? "";
  const rewrite = rewriteHuggingFaceFetch(target);
  return new InferenceClient(token, {
    ...options,
    fetch: async (input, init) => {
      const response = await rewrite(input, init);
      seen.push(response.clone());
      return response;
    },
  });
};
const ask = [{ role: "user" as const, content: "Hi" }];

beforeAll(() => {
  const quiet = () => {};
  setLogger({ debug: quiet, info: quiet, log: quiet, warn: console.warn, error: console.error });
});
afterEach(async () => {
  seen.length = 0;
  await sim?.close();
  sim = undefined;
});

describe("@huggingface/inference against the default simulator", () => {
  it("is routed to the fastest provider and sees no inference RateLimit headers", async () => {
    sim = await startSimulator({ latency: false, coldStart: false });
    await client("hf_test_pro").chatCompletion({ model: LLAMA, messages: ask });
    const answer = seen.at(-1);
    expect(answer?.headers.get("x-inference-provider")).toBe("cerebras");
    expect(answer?.headers.get("ratelimit")).toBeNull();
    // A pinned provider resolves through the Hub mapping: that answer is an `api` one, with headers.
    await client("hf_test_pro").chatCompletion({ model: LLAMA, provider: "together", messages: ask });
    const hub = seen.find((r) => r.url.includes("/api/models/"));
    expect(hub?.headers.get("ratelimit-policy")).toBe('"fixed window";"api";q=2500;w=300');
  });

  it("bills an org only through billTo, and surfaces the flat 402", async () => {
    sim = await startSimulator({
      latency: false,
      coldStart: false,
      monthlyCreditsUsd: { free: 0 },
      tokens: { hf_member: { tier: "team", orgs: ["acme"] } },
      orgs: { acme: { seats: 2 } },
    });
    const billed = await client("hf_member", { billTo: "acme" }).chatCompletion({
      model: LLAMA,
      messages: ask,
    });
    expect(billed.choices[0]?.message.content).toContain("Simulated reply");
    expect(sim.stats().orgs.acme?.creditsSpentUsd).toBeGreaterThan(0);
    const error = await client("hf_member")
      .chatCompletion({ model: LLAMA, messages: ask })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceClientProviderApiError);
    const { status, body } = (error as InferenceClientProviderApiError).httpResponse;
    expect(status).toBe(402);
    expect(body).toEqual({
      error:
        "You have exceeded your monthly included credits for Inference Providers. Subscribe to PRO to get 20x more monthly included credits.",
    });
  });
});
