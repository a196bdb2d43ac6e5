import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "./server.js";
import { call, chat } from "./test-support.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    latency: false,
    coldStart: false,
    spike: false,
    seed: 8,
    orgs: { acme: {} },
    endpoints: [{ name: "fuzz", latency: { baseMs: 0, perOutputTokenMs: 0 } }],
  });
});
afterAll(() => sim.close());

const HF_STATUSES = [200, 201, 400, 401, 402, 403, 404, 405, 409, 413, 422, 429, 503];
const PATHS = [
  "/v1/chat/completions",
  "/together/v1/chat/completions",
  "/hf-inference/models/openai-community/gpt2",
  "/hf-inference/models/openai-community/gpt2/v1/completions",
  "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction",
  "/endpoints/fuzz/v1/chat/completions",
  "/endpoints/fuzz",
  "/endpoints",
  "/api/models/openai-community/gpt2",
];

describe("bad requests", () => {
  it("get a Hugging Face status and an error body, never a crash", async () => {
    const field = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom("required", "none", "auto", { type: "json_schema" }),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          model: fc.oneof(
            fc.constantFrom("meta-llama/Llama-3.1-8B-Instruct", "x:cheapest", ":"),
            fc.jsonValue(),
          ),
          messages: fc.oneof(fc.constant([{ role: "user", content: "hi" }]), fc.jsonValue()),
          tools: fc.oneof(fc.constant([{ type: "function", function: { name: "f" } }]), fc.jsonValue()),
          tool_choice: field,
          response_format: field,
          max_tokens: fc.jsonValue(),
          stream: fc.jsonValue(),
          inputs: fc.jsonValue(),
          prompt: fc.jsonValue(),
          name: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        body,
        fc.constantFrom("hf_test_pro", "hf_test_free", "hf_nope", null),
        fc.boolean(),
        async (path, value, token, billTo) => {
          const answer = await call(sim.url, path, {
            body: value,
            token,
            headers: billTo ? { "X-HF-Bill-To": "acme" } : {},
          });
          expect(HF_STATUSES).toContain(answer.status);
          if (answer.status >= 400) expect(answer.body).toHaveProperty("error");
        },
      ),
      { numRuns: 300, seed: 12 },
    );
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
  });

  it("answers 422 for a tool_choice or response_format the router rejects", async () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    for (const extra of [
      { tools, tool_choice: "always" },
      { tools, tool_choice: { type: "function", function: { name: "g" } } },
      { response_format: { type: "yaml" } },
      { response_format: { type: "json_schema", json_schema: { name: "x" } } },
    ]) {
      const answer = await call(sim.url, "/v1/chat/completions", { body: chat(undefined, "hi", extra) });
      expect(answer.status, JSON.stringify(extra)).toBe(422);
      expect(answer.body.error.type).toBe("invalid_request_error");
    }
  });
});
