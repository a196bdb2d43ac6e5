import { isSwarmgateError, redactError, type SwarmgateErrorCode } from "@swarmgate/core";

// The mark @langchain/core's AsyncCaller reads (`stampRetryable`); a global symbol, so it is
// shared with every copy of @langchain/core and harmless for versions that do not read it.
const retryable = Symbol.for("langchain.errors.retryable");

// An HTTP status for each refusal of the governor, so that LangChain's AsyncCaller and
// LangGraph's retry policies (which look at `status` / `response.status`) classify them.
const STATUS: Readonly<Partial<Record<SwarmgateErrorCode, number>>> = {
  budget_exceeded: 402,
  throttled: 429,
  circuit_open: 503,
  queue_full: 503,
  timeout: 504,
};

// The governor already retried these as far as it should, or they can never succeed:
// a LangChain retry layer must not start again.
const FINAL: ReadonlySet<SwarmgateErrorCode> = new Set(["budget_exceeded", "closed", "store_unavailable"]);

/**
 * Makes an error thrown to LangChain classifiable by it: a swarmgate refusal without a
 * top-level `status` gets one (402 budget, 429 throttled, 503 circuit open / queue full,
 * 504 timeout), and errors that must never be retried are marked so for
 * `@langchain/core`'s `AsyncCaller`. The error keeps its class, `code` and `cause`
 * (`isBudgetExceededError(e)` still holds). Any other error is returned as it is:
 * `HuggingFaceApiError` and the OpenAI SDK's errors already carry `status`. Every error is
 * redacted in place first: one thrown by a stream after its first chunk (outside the
 * governor's call) may quote what the upstream echoed of the token.
 */
export function toLangChainError(error: unknown): unknown {
  redactError(error);
  if (!isSwarmgateError(error)) return error;
  try {
    const status = STATUS[error.code];
    if (status !== undefined && typeof (error as { status?: unknown }).status !== "number")
      Object.defineProperty(error, "status", { value: status, configurable: true, enumerable: false });
    if (FINAL.has(error.code)) Object.defineProperty(error, retryable, { value: false, configurable: true });
  } catch {
    // a frozen error is thrown as it is
  }
  return error;
}
