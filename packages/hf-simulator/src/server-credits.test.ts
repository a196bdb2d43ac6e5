import { afterEach, describe, expect, it } from "vitest";
import type { CatalogueModel } from "./catalogue.js";
import type { SimulatorOptions } from "./options.js";
import { type Simulator, startSimulator } from "./server.js";
import { call, chat } from "./test-support.js";

// $1 per output token, nothing for input.
const PRICEY: CatalogueModel[] = [
  {
    id: "org/pricey",
    task: "conversational",
    providers: [
      {
        provider: "together",
        providerId: "pricey",
        inputPricePerMillion: 0,
        outputPricePerMillion: 1e6,
        tokensPerSecond: 100,
      },
    ],
  },
];
const base: SimulatorOptions = {
  latency: false,
  coldStart: false,
  tokensPerSecond: Number.POSITIVE_INFINITY,
  spike: false,
  catalogue: PRICEY,
};
// With max_tokens 1 every answer is one output token: $1 per call.
const ask = (url: string, token: string, headers: Record<string, string> = {}) =>
  call(url, "/v1/chat/completions", { token, body: chat("org/pricey", "x", { max_tokens: 1 }), headers });
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("credits", () => {
  it("answers 402 with HF's message once the token's monthly credits are spent", async () => {
    sim = await startSimulator({ ...base, monthlyCreditsUsd: { free: 2.5 } });
    for (let i = 0; i < 3; i++) expect((await ask(sim.url, "hf_test_free")).status).toBe(200);
    const refused = await ask(sim.url, "hf_test_free");
    expect(refused.status).toBe(402);
    // Hugging Face's 402 is flat on every route, the OpenAI-compatible router included.
    expect(refused.body).toEqual({
      error:
        "You have exceeded your monthly included credits for Inference Providers. Subscribe to PRO to get 20x more monthly included credits.",
    });
    const stats = sim.stats().tokens["hf_…free"];
    expect(stats?.creditsSpentUsd).toBe(3);
    expect(stats?.buckets.inference?.rejected402).toBe(1);
  });

  it("lets pay-as-you-go run past the credits", async () => {
    sim = await startSimulator({ ...base, monthlyCreditsUsd: { free: 0.5 }, payAsYouGo: true });
    for (let i = 0; i < 3; i++) expect((await ask(sim.url, "hf_test_free")).status).toBe(200);
    expect(sim.stats().tokens["hf_…free"]?.creditsSpentUsd).toBe(3);
  });

  it("pools org credits per seat across members with X-HF-Bill-To", async () => {
    sim = await startSimulator({
      ...base,
      tokens: {
        hf_alice: { tier: "team", name: "alice", orgs: ["acme"] },
        hf_bob: { tier: "team", name: "bob", orgs: ["acme"] },
      },
      orgs: { acme: { tier: "team", seats: 2 } },
      monthlyCreditsUsd: { team: 1.5 },
    });
    const bill = { "X-HF-Bill-To": "acme" };
    expect((await ask(sim.url, "hf_alice", bill)).status).toBe(200);
    expect((await ask(sim.url, "hf_bob", bill)).status).toBe(200);
    expect(sim.stats().orgs.acme).toEqual({ creditsSpentUsd: 2, creditsRemainingUsd: 1 });
    expect((await ask(sim.url, "hf_bob", bill)).status).toBe(200);
    expect((await ask(sim.url, "hf_alice", bill)).status).toBe(402);
    // Members' own credits were never touched.
    expect(sim.stats().tokens.alice?.creditsSpentUsd).toBe(0);
    expect((await ask(sim.url, "hf_alice")).status).toBe(200);
  });

  it("gives an organization plan's credits only through X-HF-Bill-To", async () => {
    sim = await startSimulator({
      ...base,
      tokens: { hf_carol: { tier: "team", name: "carol", orgs: ["acme"] } },
      orgs: { acme: { tier: "team", seats: 3 } },
    });
    // Without bill-to a Team member spends a free user's $0.10, not the org's $2 a seat.
    expect((await ask(sim.url, "hf_carol")).status).toBe(200);
    expect((await ask(sim.url, "hf_carol")).status).toBe(402);
    for (let i = 0; i < 6; i++)
      expect((await ask(sim.url, "hf_carol", { "X-HF-Bill-To": "acme" })).status).toBe(200);
    expect((await ask(sim.url, "hf_carol", { "X-HF-Bill-To": "acme" })).status).toBe(402);
    expect(sim.stats().orgs.acme).toEqual({ creditsSpentUsd: 6, creditsRemainingUsd: 0 });
  });

  it("refuses billing an org the token does not belong to", async () => {
    sim = await startSimulator({ ...base, orgs: { acme: {} } });
    const refused = await ask(sim.url, "hf_test_pro", { "X-HF-Bill-To": "acme" });
    expect(refused.status).toBe(403);
    expect((await ask(sim.url, "hf_test_pro", { "X-HF-Bill-To": "ghost" })).status).toBe(403);
  });
});
