import { describe, expect, it } from "vitest";
import { normalizeBaseUrl, rewriteBaseUrl } from "./base-url.js";
import { scaleServerTime } from "./server-time-scale.js";

describe("baseUrl", () => {
  it("sends the Hub, the router and the legacy Inference API to the base, path and query unchanged", () => {
    const base = normalizeBaseUrl("http://127.0.0.1:8080/");
    expect(base).toBe("http://127.0.0.1:8080");
    expect(rewriteBaseUrl("https://router.huggingface.co/v1/chat/completions", base)).toBe(
      "http://127.0.0.1:8080/v1/chat/completions",
    );
    expect(rewriteBaseUrl("https://huggingface.co/api/models/gpt2?expand[]=x", base)).toBe(
      "http://127.0.0.1:8080/api/models/gpt2?expand[]=x",
    );
    expect(
      rewriteBaseUrl("https://api-inference.huggingface.co/models/gpt2", "https://proxy.example/hf"),
    ).toBe("https://proxy.example/hf/models/gpt2");
    expect(rewriteBaseUrl("https://huggingface.company.com/x", base)).toBe(
      "https://huggingface.company.com/x",
    );
    expect(rewriteBaseUrl("https://api.openai.com/v1/chat/completions", base)).toBe(
      "https://api.openai.com/v1/chat/completions",
    );
    expect(rewriteBaseUrl("https://router.huggingface.co/v1", undefined)).toBe(
      "https://router.huggingface.co/v1",
    );
  });

  it("rejects anything but an absolute http(s) URL", () => {
    for (const bad of ["", "localhost:8080", "ftp://x", "http://x/?q=1", 42])
      expect(() => normalizeBaseUrl(bad)).toThrow(/Expected `baseUrl` to be an absolute http\(s\) URL/);
  });
});

describe("scaleServerTime", () => {
  it("divides RateLimit t, RateLimit-Policy w and Retry-After by the server's time scale", () => {
    const response = new Response(null, {
      status: 429,
      headers: {
        RateLimit: '"inference";r=0;t=55',
        "RateLimit-Policy": '"fixed window";"inference";q=100;w=300',
        "Retry-After": "55",
      },
    });
    const scaled = scaleServerTime(response, 60);
    const get = (name: string) => (scaled.headers as Headers).get(name);
    expect(get("ratelimit")).toBe('"inference";r=0;t=0.917');
    expect(get("RateLimit-Policy")).toBe('"fixed window";"inference";q=100;w=5');
    expect(get("retry-after")).toBe("0.917");
    expect(get("x-request-id")).toBeNull();
    expect(scaleServerTime(response, 1)).toBe(response);
  });
});
