import { describe, expect, it } from "vitest";
import { classifyError, statusOf } from "./classify.js";
import { CircuitOpenError, TimeoutError, UpstreamError } from "./errors.js";

describe("classifyError", () => {
  it.each([
    [429, "rate_limited", true, false],
    [503, "overloaded", true, true],
    [500, "server_error", true, true],
    [502, "server_error", true, true],
    [402, "credits_exhausted", false, false],
    [400, "client_error", false, false],
    [401, "client_error", false, false],
    [404, "client_error", false, false],
    [422, "client_error", false, false],
  ] as const)("status %i → %s (retry %s, breaker %s)", (status, reason, retryable, breakerFailure) => {
    expect(classifyError({ status }, false)).toMatchObject({ reason, retryable, breakerFailure, status });
  });

  it("reads the status where @huggingface/inference keeps it", () => {
    expect(statusOf({ httpResponse: { status: 503, requestId: "x", body: "" } })).toBe(503);
    expect(statusOf({ response: { status: 429 } })).toBe(429);
    expect(statusOf({ statusCode: 404 })).toBe(404);
    expect(statusOf({ status: "500" })).toBeUndefined();
  });

  it("retries network errors, found through the cause chain of undici's fetch failure", () => {
    const error = new TypeError("fetch failed", {
      cause: Object.assign(new Error("socket"), { code: "ECONNRESET" }),
    });
    expect(classifyError(error, false)).toMatchObject({
      reason: "network",
      retryable: true,
      breakerFailure: true,
    });
  });

  it("retries attempt timeouts, never an abort or swarmgate's own refusals", () => {
    expect(classifyError(new TimeoutError("attempt", 10), false)).toMatchObject({
      reason: "timeout",
      retryable: true,
    });
    expect(classifyError(new DOMException("x", "AbortError"), false).reason).toBe("aborted");
    expect(classifyError(new Error("whatever"), true).reason).toBe("aborted");
    expect(classifyError(new CircuitOpenError("p"), false)).toMatchObject({
      reason: "local",
      retryable: false,
    });
  });

  it("carries the server's Retry-After from an UpstreamError", () => {
    expect(
      classifyError(new UpstreamError("slow down", 429, { retryAfterMs: 5_000 }), false).retryAfterMs,
    ).toBe(5_000);
  });
});
