import { AsyncCaller } from "@langchain/core/utils/async_caller";
import { BudgetExceededError, CircuitOpenError, ThrottledError, UpstreamError } from "@swarmgate/core";
import { describe, expect, it } from "vitest";
import { toLangChainError } from "./langchain-errors.js";

// LangChain's AsyncCaller with retries, as a user who forgot maxRetries: 0 would have it.
async function attempts(error: unknown): Promise<number> {
  let count = 0;
  const caller = new AsyncCaller({ maxRetries: 2 });
  await caller
    .call(async () => {
      count++;
      throw toLangChainError(error);
    })
    .catch(() => {});
  return count;
}

describe("toLangChainError", () => {
  it("gives the governor's refusals a top-level status", () => {
    expect(toLangChainError(new BudgetExceededError("no credits"))).toMatchObject({ status: 402 });
    expect(
      toLangChainError(new ThrottledError("no permit", "inference", { retryAfterMs: 10 })),
    ).toMatchObject({ status: 429 });
    expect(toLangChainError(new CircuitOpenError("together"))).toMatchObject({ status: 503 });
  });

  it("keeps the error itself (class, code, cause)", () => {
    const error = new BudgetExceededError("no credits");
    expect(toLangChainError(error)).toBe(error);
    expect(toLangChainError("plain")).toBe("plain");
  });

  it("makes LangChain's AsyncCaller give up at once on a budget refusal and a 4xx", async () => {
    expect(await attempts(new BudgetExceededError("no credits"))).toBe(1);
    expect(await attempts(new UpstreamError("bad request", 400))).toBe(1);
  }, 20_000);
});
