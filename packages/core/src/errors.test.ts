import { describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  isBudgetExceededError,
  isSwarmgateError,
  QueueFullError,
  UpstreamError,
} from "./errors.js";
import { redact, registerSecret } from "./redact.js";

describe("errors", () => {
  it("carry a stable code and are recognised across copies of the package by their marker", () => {
    const error = new QueueFullError(3);
    expect(error.code).toBe("queue_full");
    expect(error.name).toBe("QueueFullError");
    // What another copy of the package would build: same marker, different class.
    const foreign = Object.assign(new Error("x"), { code: "budget_exceeded" });
    Object.defineProperty(foreign, Symbol.for("swarmgate.error"), { value: true });
    expect(isBudgetExceededError(foreign)).toBe(true);
    expect(isSwarmgateError(new Error("plain"))).toBe(false);
    expect(isBudgetExceededError(new BudgetExceededError("no"))).toBe(true);
  });

  it("never carry a token in their message", () => {
    const error = new UpstreamError("401 Unauthorized for Bearer hf_abcdefghijklmnop", 401);
    expect(error.message).toBe("401 Unauthorized for Bearer [REDACTED]");
  });
});

describe("redact", () => {
  it("removes HF tokens, bearer credentials, provider keys and registered secrets", () => {
    registerSecret("my-custom-secret-value");
    expect(redact("token=hf_AbCdEfGhIjKlMnOp and my-custom-secret-value")).toBe(
      "token=[REDACTED] and [REDACTED]",
    );
    expect(redact("authorization: Bearer abc.def-ghi_jkl")).toBe("authorization: Bearer [REDACTED]");
    expect(redact("key sk-1234567890abcdefghij")).toBe("key [REDACTED]");
    expect(redact("nothing to hide")).toBe("nothing to hide");
  });
});
