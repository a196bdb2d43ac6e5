import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BodyHint, MAX_BODY_HINT_MS, readBodyHint } from "./body-hint.js";

const wait = (retryAfterMs: number | undefined, loading = false): BodyHint => ({ retryAfterMs, loading });

// OpenAI's 429 body, as quoted in https://github.com/openai/codex/issues/70.
const openAi = (message: string) => ({
  error: { message, type: "tokens", code: "rate_limit_exceeded", param: null },
});

describe("readBodyHint", () => {
  const table: [string, unknown, BodyHint | undefined][] = [
    // Hugging Face's legacy cold start, https://github.com/huggingface/transformers/issues/32665
    [
      "HF cold start (JSON text)",
      '{"error":"Model meta-llama/Llama-2-13b-chat is currently loading","estimated_time":20.0}',
      wait(20_000, true),
    ],
    [
      "HF cold start (object)",
      { error: "Model deepset/roberta-base-squad2 is currently loading", estimated_time: 20 },
      wait(20_000, true),
    ],
    // https://github.com/ela-codes/vibin/issues/2
    [
      "HF cold start, fractional estimate",
      '{"error":"Model mrm8488/t5-base-finetuned-emotion is currently loading","estimated_time":35.6677131652832}',
      wait(35_668, true),
    ],
    // The one-element array litellm received: https://github.com/BerriAI/litellm/issues/1242
    [
      "HF cold start in an array",
      [{ error: "Model echarlaix/tiny-random-mistral is currently loading", estimated_time: 20.0 }],
      wait(20_000, true),
    ],
    [
      "HF cold start without estimate",
      { error: "Model meta-llama/X is currently loading" },
      wait(undefined, true),
    ],
    ["HF plain-text cold start", "Model meta-llama/X is loading", wait(undefined, true)],
    ["estimated_time alone means loading", { estimated_time: 5 }, wait(5000, true)],
    ["estimated_time as a numeric string", { error: "x", estimated_time: "12.5" }, wait(12_500, true)],
    // https://github.com/huggingface/api-inference-community/issues/137 (1809 s) and beyond
    [
      "a 30-minute estimate is capped",
      { error: "… is currently loading", estimated_time: 1809.18 },
      wait(MAX_BODY_HINT_MS, true),
    ],
    [
      "a huge estimate is capped",
      { error: "Model X is currently loading", estimated_time: 1e9 },
      wait(MAX_BODY_HINT_MS, true),
    ],
    [
      "a negative estimate is ignored",
      { error: "Model X is currently loading", estimated_time: -5 },
      wait(undefined, true),
    ],
    [
      "a NaN estimate is ignored",
      { error: "Model X is currently loading", estimated_time: Number.NaN },
      wait(undefined, true),
    ],
    [
      "an infinite estimate is ignored",
      { error: "Model X is currently loading", estimated_time: Infinity },
      wait(undefined, true),
    ],
    ["a negative estimate without a loading message", { error: "boom", estimated_time: -1 }, undefined],
    ["an estimate that is no number", { error: "boom", estimated_time: "soon" }, undefined],
    // OpenAI/Groq 429s: "Rate limit reached for model … Please try again in 11.455s."
    // (https://github.com/semanser/codel/issues/72, https://github.com/BuilderIO/micro-agent/issues/86)
    [
      "OpenAI 11.455s",
      openAi(
        "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 14567, Requested 24754. Please try again in 11.455s. Visit https://platform.openai.com/account/rate-limits to learn more.",
      ),
      wait(11_455),
    ],
    ["OpenAI 644ms", openAi("Rate limit reached for gpt-4o … Please try again in 644ms."), wait(644)],
    [
      "Groq 1m2.5s (JSON text)",
      '{"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile` on tokens per day (TPD). Please try again in 1m2.5s.","type":"tokens","code":"rate_limit_exceeded"}}',
      wait(62_500),
    ],
    ["Groq 6.5s nested message", { error: { message: "… Please try again in 6.5s …" } }, wait(6500)],
    ["try again in 850ms", "Please try again in 850ms", wait(850)],
    ["retry after 20 seconds", "Please retry after 20 seconds", wait(20_000)],
    ["retry in 3 seconds", { message: "Too many requests, retry in 3 seconds" }, wait(3000)],
    ["Try again in 2 minutes", { detail: "Try again in 2 minutes." }, wait(120_000)],
    ["try again in 1 hour is capped", "Try again in 1 hour", wait(MAX_BODY_HINT_MS)],
    ["try again in 90 s", "try again in 90 s", wait(90_000)],
    ["a bare number is seconds", "retry after 4", wait(4000)],
    ["a duration beyond two days is garbage", "try again in 72h0m0s", undefined],
    ["a malformed amount is no wait", "try again in 1.2.3s", undefined],
    // Bytes, as a fetch body arrives before it is decoded
    [
      "UTF-8 bytes",
      new TextEncoder().encode('{"error":"Model X is currently loading","estimated_time":3}'),
      wait(3000, true),
    ],
    ["an ArrayBuffer", new TextEncoder().encode("Please try again in 7.66s.").buffer, wait(7660)],
    // Bodies that say nothing
    ["no hint", { error: { message: "Invalid API key", type: "invalid_request_error" } }, undefined],
    ["try again later", "Please try again later.", undefined],
    ["empty text", "", undefined],
    ["broken JSON read as text", '{"error":"Please try again in 2s"', wait(2000)],
    ["a JSON string", '"Model X is currently loading"', wait(undefined, true)],
    ["undefined", undefined, undefined],
    ["null", null, undefined],
    ["a number", 429, undefined],
    ["an unrelated field says nothing", { choices: [{ text: "try again in 5s" }] }, undefined],
  ];

  it.each(table)("%s", (_name, body, expected) => {
    expect(readBodyHint(body)).toEqual(expected);
  });

  it("examines only the first 64 KiB of text", () => {
    const pad = " ".repeat(64 * 1024);
    expect(readBodyHint(`${pad}try again in 5s`)).toBeUndefined();
    expect(readBodyHint(`try again in 5s${pad}`)).toEqual(wait(5000));
    expect(readBodyHint(new TextEncoder().encode(`${pad}Model X is currently loading`))).toBeUndefined();
  });

  it("never throws on cyclic objects, throwing getters or proxies", () => {
    const cyclic: Record<string, unknown> = { error: "Model X is currently loading" };
    cyclic.self = cyclic;
    expect(readBodyHint(cyclic)).toEqual(wait(undefined, true));
    const getter = {
      get error(): string {
        throw new Error("boom");
      },
      message: "try again in 2s",
    };
    expect(readBodyHint(getter)).toEqual(wait(2000));
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
      },
    );
    expect(readBodyHint(trap)).toBeUndefined();
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(readBodyHint(revocable.proxy)).toBeUndefined();
  });
});

const hintText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc
    .tuple(
      fc.constantFrom("try again in ", "retry after ", "Retry in ", "is currently loading ", ""),
      fc.oneof(fc.double().map(String), fc.nat().map(String), fc.string({ maxLength: 12 })),
      fc.constantFrom("s", "ms", "m", "h", "µs", "ns", " seconds", " minutes", " hours", "", "."),
    )
    .map((parts) => parts.join("")),
);

function bounded(hint: BodyHint | undefined): boolean {
  if (hint === undefined) return true;
  const ms = hint.retryAfterMs;
  return (
    typeof hint.loading === "boolean" &&
    (hint.loading || ms !== undefined) &&
    (ms === undefined || (Number.isInteger(ms) && ms >= 0 && ms <= MAX_BODY_HINT_MS && !Object.is(ms, -0)))
  );
}

describe("properties", () => {
  it("never throw and stay bounded on any string", () => {
    fc.assert(
      fc.property(hintText, (text) => {
        expect(bounded(readBodyHint(text))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throw and stay bounded on any value, JSON or not", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), fc.uint8Array({ maxLength: 300 })), (body) => {
        expect(bounded(readBodyHint(body))).toBe(true);
        if (typeof body !== "string") expect(bounded(readBodyHint(JSON.stringify(body) ?? ""))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throw and stay bounded on any error-shaped object", () => {
    const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e9, -1, Number.NaN));
    fc.assert(
      fc.property(hintText, fc.option(number), fc.boolean(), (message, estimated, nested) => {
        const error = nested ? { message, type: "tokens" } : message;
        const body = estimated === null ? { error } : { error, estimated_time: estimated };
        const hint = readBodyHint(body);
        expect(bounded(hint)).toBe(true);
        if (typeof estimated === "number" && Number.isFinite(estimated) && estimated >= 0)
          expect(hint).toEqual(wait(Math.round(Math.min(estimated * 1000, MAX_BODY_HINT_MS)) + 0, true));
      }),
      { numRuns: 2000 },
    );
  });

  it("read back any whole-second wait within the cap", () => {
    fc.assert(
      fc.property(
        fc.nat(300),
        fc.constantFrom("Please try again in %s.", "retry after %s", "Retry in %s"),
        (s, form) => {
          expect(readBodyHint(form.replace("%s", `${s}s`))?.retryAfterMs).toBe(s * 1000);
        },
      ),
    );
  });
});
