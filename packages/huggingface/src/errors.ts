import { type ResponseLike, readServerFeedback, redact, redactError, UpstreamError } from "@swarmgate/core";

const marker = Symbol.for("swarmgate.huggingface.api_error");

/** The request of a failed call, as `@huggingface/inference` recorded it (credentials redacted). */
export interface HttpRequestInfo {
  readonly url: string;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The answer of a failed call: the upstream's request id, status and body. */
export interface HttpResponseInfo {
  readonly requestId: string;
  readonly status: number;
  readonly body: unknown;
}

/**
 * An HTTP answer from Hugging Face that was not a success, raised by the governed client in
 * place of `@huggingface/inference`'s `InferenceClientProviderApiError` /
 * `InferenceClientHubApiError` (kept as `cause`). It has what the client's error has —
 * `httpRequest`, `httpResponse` — plus a top-level `status`, `requestId` and `retryAfterMs`,
 * so that any retry layer can classify it. 402 never surfaces as this error: it becomes
 * core's `BudgetExceededError`.
 */
export class HuggingFaceApiError extends UpstreamError {
  /** `provider` for inference answers, `hub` for Hub API answers. */
  readonly source: "provider" | "hub";
  readonly httpRequest: HttpRequestInfo;
  readonly httpResponse: HttpResponseInfo;

  constructor(
    message: string,
    init: {
      readonly status: number;
      readonly source: "provider" | "hub";
      readonly httpRequest: HttpRequestInfo;
      readonly httpResponse: HttpResponseInfo;
      readonly retryAfterMs?: number | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(message, init.status, {
      cause: init.cause,
      retryAfterMs: init.retryAfterMs,
      requestId: init.httpResponse.requestId || undefined,
    });
    this.source = init.source;
    this.httpRequest = init.httpRequest;
    this.httpResponse = init.httpResponse;
    Object.defineProperty(this, marker, { value: true });
  }
}

/** True for a {@link HuggingFaceApiError}, from any copy of this package. */
export function isHuggingFaceApiError(error: unknown): error is HuggingFaceApiError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}

interface ClientHttpError {
  readonly name: string;
  readonly message: string;
  readonly httpRequest: HttpRequestInfo;
  readonly httpResponse: HttpResponseInfo;
}

function isClientHttpError(error: unknown): error is ClientHttpError {
  if (!(error instanceof Error)) return false;
  const e = error as unknown as Partial<ClientHttpError>;
  return (
    typeof e.httpResponse === "object" &&
    e.httpResponse !== null &&
    typeof e.httpResponse.status === "number" &&
    typeof e.httpRequest === "object" &&
    e.httpRequest !== null
  );
}

// A prompt may quote a credential: bodies are redacted as text, then parsed back.
function redactValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === "string") return redact(value);
  try {
    return JSON.parse(redact(JSON.stringify(value)));
  } catch {
    return "[unserializable]";
  }
}

function redactRequest(request: HttpRequestInfo): HttpRequestInfo {
  const headers = request.headers
    ? Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [
          k,
          /^authorization$/i.test(k) ? "[REDACTED]" : redact(String(v)),
        ]),
      )
    : undefined;
  return {
    url: redact(request.url),
    method: request.method,
    ...(headers ? { headers } : {}),
    body: redactValue(request.body),
  };
}

/**
 * Turns an error of `@huggingface/inference` into a {@link HuggingFaceApiError} with a
 * top-level `status` (and `retryAfterMs` from the answer's headers, when given); any other
 * error is returned as it is, redacted in place (an output error may quote the answer).
 */
export function toGovernedError(error: unknown, response: ResponseLike | undefined, nowMs: number): unknown {
  if (!isClientHttpError(error) || isHuggingFaceApiError(error)) return redactError(error);
  const status = error.httpResponse.status;
  let retryAfterMs: number | undefined;
  if (response && response.status === status) {
    const feedback = readServerFeedback(response, nowMs);
    retryAfterMs =
      feedback.retryAfterMs ??
      (status === 429 ? feedback.limits.find((l) => l.remaining === 0)?.resetMs : undefined);
  }
  const httpRequest = redactRequest(error.httpRequest);
  const httpResponse = { ...error.httpResponse, body: redactValue(error.httpResponse.body) };
  // The client's error stays reachable as `cause`: it gets the same redaction.
  try {
    Object.assign(error, { httpRequest, httpResponse, message: redact(error.message) });
  } catch {
    // a frozen error keeps its fields; ours are redacted anyway
  }
  return new HuggingFaceApiError(redact(error.message), {
    status,
    source: error.name === "HubApiError" ? "hub" : "provider",
    httpRequest,
    httpResponse: httpResponse as HttpResponseInfo,
    retryAfterMs,
    cause: error,
  });
}
