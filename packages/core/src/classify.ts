import { readBodyHint } from "./body-hint.js";
import { isSwarmgateError } from "./errors.js";

/** Why an attempt failed, as far as retrying and the breaker are concerned. */
export type FailureReason =
  | "rate_limited" // 429
  | "overloaded" // 503
  | "loading" // 503 while the model loads (a cold start): a wait, not a failure of the upstream
  | "server_error" // other 5xx
  | "network" // connection reset, refused, DNS, socket hang-up
  | "timeout" // the attempt timed out
  | "credits_exhausted" // 402
  | "client_error" // other 4xx: the request itself is wrong
  | "aborted" // the caller's signal
  | "local" // refused by swarmgate itself (queue full, deadline, open circuit, budget)
  | "unknown"; // anything else a caller's function threw

/** The verdict on one failed attempt. */
export interface ErrorVerdict {
  readonly reason: FailureReason;
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** Whether it counts against the upstream's health (opens the breaker). */
  readonly breakerFailure: boolean;
  /** The HTTP status, when there was one. */
  readonly status?: number | undefined;
  /** Milliseconds the server asked to wait, when it said. */
  readonly retryAfterMs?: number | undefined;
  /**
   * Where `retryAfterMs` comes from when the error answer's body said it ("try again in
   * 11.4s", `estimated_time`): a server duration, which a time-compressing simulator speaks
   * in its own seconds (see `headerTimeScale`).
   */
  readonly hintFrom?: "body" | undefined;
}

const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/**
 * Reads an HTTP status from the usual places: `status`, `statusCode`, `response.status`,
 * and `httpResponse.status` (where `@huggingface/inference` keeps it).
 */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  try {
    const e = error as Record<string, unknown>;
    for (const candidate of [
      e.status,
      e.statusCode,
      (e.response as Record<string, unknown> | undefined)?.status,
      (e.httpResponse as Record<string, unknown> | undefined)?.status,
    ]) {
      if (typeof candidate === "number" && candidate >= 100 && candidate < 600) return candidate;
    }
  } catch {
    // an object whose getters throw (or a revoked proxy) has no status anyone can read
  }
  return undefined;
}

function isNetworkError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && networkCodes.has(code)) return true;
    // undici's fetch rejects with `TypeError("fetch failed")` and the socket error as its cause
    if (e instanceof TypeError && e.message === "fetch failed") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The default classification of a failed attempt (DESIGN.md): 429, 503, other 5xx, network
 * errors and attempt timeouts are retried; 4xx and 402 are not; 429 and 4xx never count
 * against the breaker. A 503 whose body says the model is loading (a cold start,
 * `estimated_time`) is `loading`: retried after the estimate, never a breaker failure. A body
 * that says "try again in 11.4s" gives the wait when no header did.
 */
export function classifyError(error: unknown, aborted: boolean): ErrorVerdict {
  try {
    const verdict = classifyAny(error, aborted);
    // An error that already went through its own retries (a nested call) is final here.
    return isFinal(error) ? { ...verdict, retryable: false, breakerFailure: false } : verdict;
  } catch {
    // An object whose getters throw (or a revoked proxy) is an error nobody can read: final.
    return aborted ? ABORTED : UNREADABLE;
  }
}

const ABORTED: ErrorVerdict = Object.freeze({ reason: "aborted", retryable: false, breakerFailure: false });
const UNREADABLE: ErrorVerdict = Object.freeze({
  reason: "unknown",
  retryable: false,
  breakerFailure: false,
});

/**
 * @internal The verdict of a user's `classifyError` when it gives a usable one, else the
 * default's: a classifier that throws or answers something else must not break the call.
 */
export function classifyWith(
  custom: ((error: unknown) => ErrorVerdict | undefined) | undefined,
  error: unknown,
  aborted: boolean,
): ErrorVerdict {
  if (custom !== undefined) {
    try {
      const verdict = custom(error);
      if (typeof verdict === "object" && verdict !== null && typeof verdict.reason === "string")
        return verdict;
    } catch {
      // fall back to the default classification
    }
  }
  return classifyError(error, aborted);
}

const FINAL = Symbol.for("swarmgate.final");

/**
 * Marks `error` as final: the governor neither retries it nor counts it against a breaker,
 * whatever its status. For errors of a nested governed call that already had its retries.
 */
export function markFinal<E extends object>(error: E): E {
  // A frozen error cannot carry the mark; it is classified as it is.
  if (Object.isExtensible(error)) Object.defineProperty(error, FINAL, { value: true, configurable: true });
  return error;
}

/** True for an error passed to {@link markFinal}. */
export function isFinal(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[FINAL] === true;
}

// The body of an error answer, where the usual clients keep it: `@huggingface/inference`'s
// `httpResponse.body`, a `body` or `response.data` (axios). Read only for 429 and 503.
function bodyOf(error: unknown): unknown {
  const e = error as Record<string, unknown>;
  return (
    (e.httpResponse as Record<string, unknown> | undefined)?.body ??
    e.body ??
    (e.response as Record<string, unknown> | undefined)?.data
  );
}

// A 429 or 503 whose body says when to come back, or that the model is loading.
function waitVerdict(
  error: unknown,
  status: 429 | 503,
  retryAfterMs: number | undefined,
): ErrorVerdict | undefined {
  const hint = readBodyHint(bodyOf(error));
  if (hint === undefined) return undefined;
  const fromBody = retryAfterMs === undefined && hint.retryAfterMs !== undefined;
  const wait = fromBody ? { retryAfterMs: hint.retryAfterMs, hintFrom: "body" as const } : { retryAfterMs };
  if (status === 503 && hint.loading)
    return { reason: "loading", retryable: true, breakerFailure: false, status, ...wait };
  if (status === 429)
    return { reason: "rate_limited", retryable: true, breakerFailure: false, status, ...wait };
  return { reason: "overloaded", retryable: true, breakerFailure: true, status, ...wait };
}

// A 429 or 503 whose body said nothing: the wait is what the error carried.
const waitless = (status: 429 | 503, retryAfterMs: number | undefined, hintFrom: "body" | undefined) =>
  status === 429
    ? {
        reason: "rate_limited" as const,
        retryable: true,
        breakerFailure: false,
        status,
        retryAfterMs,
        hintFrom,
      }
    : {
        reason: "overloaded" as const,
        retryable: true,
        breakerFailure: true,
        status,
        retryAfterMs,
        hintFrom,
      };

function classifyAny(error: unknown, aborted: boolean): ErrorVerdict {
  if (aborted || (error instanceof Error && error.name === "AbortError"))
    return { reason: "aborted", retryable: false, breakerFailure: false };
  const retryAfterMs = isSwarmgateError(error) ? error.retryAfterMs : undefined;
  const loading = isSwarmgateError(error) && (error as { loading?: unknown }).loading === true;
  const hintFrom =
    isSwarmgateError(error) && (error as { hintFromBody?: unknown }).hintFromBody === true
      ? ("body" as const)
      : undefined;
  if (isSwarmgateError(error) && error.code === "timeout")
    return { reason: "timeout", retryable: true, breakerFailure: true };
  if (isSwarmgateError(error) && error.code === "budget_exceeded")
    return { reason: "credits_exhausted", retryable: false, breakerFailure: false, status: 402 };
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 429) return waitVerdict(error, 429, retryAfterMs) ?? waitless(429, retryAfterMs, hintFrom);
    if (status === 402)
      return { reason: "credits_exhausted", retryable: false, breakerFailure: false, status };
    if (status === 503 && loading)
      return { reason: "loading", retryable: true, breakerFailure: false, status, retryAfterMs, hintFrom };
    if (status === 503) return waitVerdict(error, 503, retryAfterMs) ?? waitless(503, retryAfterMs, hintFrom);
    if (status >= 500)
      return { reason: "server_error", retryable: true, breakerFailure: true, status, retryAfterMs };
    if (status === 408) return { reason: "timeout", retryable: true, breakerFailure: true, status };
    if (status >= 400) return { reason: "client_error", retryable: false, breakerFailure: false, status };
  }
  if (isSwarmgateError(error)) return { reason: "local", retryable: false, breakerFailure: false };
  if (isNetworkError(error)) return { reason: "network", retryable: true, breakerFailure: true };
  return { reason: "unknown", retryable: false, breakerFailure: false };
}
