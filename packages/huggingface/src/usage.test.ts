import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseUsageReader } from "./sse-usage.js";
import { estimateTokens, StreamUsage, usageOf } from "./usage.js";

describe("usage", () => {
  it("reads OpenAI-style usage and TGI details", () => {
    expect(
      usageOf({ model: "m", usage: { prompt_tokens: 6, completion_tokens: 19, total_tokens: 25 } }),
    ).toEqual({
      inputTokens: 6,
      outputTokens: 19,
      responseModel: "m",
    });
    expect(usageOf([{ generated_text: "x", details: { generated_tokens: 7, prefill: [{}, {}] } }])).toEqual({
      inputTokens: 2,
      outputTokens: 7,
      responseModel: undefined,
    });
    expect(usageOf([0.1, 0.2])).toBeUndefined();
    expect(usageOf({ usage: { prompt_tokens: -3 } })).toBeUndefined();
  });

  it("takes a stream's usage from its last chunk", () => {
    const stream = new StreamUsage();
    stream.add({ model: "m", choices: [{ delta: { content: "a" } }] });
    stream.add({ model: "m", choices: [{ delta: {} }], usage: { prompt_tokens: 3, completion_tokens: 4 } });
    expect(stream.usage).toEqual({ inputTokens: 3, outputTokens: 4, responseModel: "m" });
    expect(stream.chunks).toBe(2);
  });

  it("reads usage from server-sent events split anywhere", () => {
    const text =
      'data: {"model":"m","choices":[]}\n\ndata: {"usage":{"prompt_tokens":5,"completion_tokens":8}}\r\n\r\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    for (const cut of [1, 7, 30, bytes.length - 3]) {
      const reader = new SseUsageReader();
      reader.push(bytes.slice(0, cut));
      reader.push(bytes.slice(cut));
      expect(reader.usage.usage).toEqual({ inputTokens: 5, outputTokens: 8, responseModel: "m" });
    }
  });

  it("never throws on any body or byte stream", () => {
    fc.assert(
      fc.property(fc.anything(), fc.uint8Array(), (body, bytes) => {
        usageOf(body);
        estimateTokens(body);
        new SseUsageReader().push(bytes);
      }),
    );
  });

  it("estimates a request's tokens from its text and output limit", () => {
    expect(estimateTokens({ messages: [{ role: "user", content: "Hello!" }], max_tokens: 100 })).toEqual({
      inputTokens: 6,
      outputTokens: 100,
    });
    expect(estimateTokens({ inputs: "12345678", parameters: { max_new_tokens: 5 } })).toEqual({
      inputTokens: 2,
      outputTokens: 5,
    });
    expect(estimateTokens({ inputs: "x" }, 64).outputTokens).toBe(64);
  });
});
