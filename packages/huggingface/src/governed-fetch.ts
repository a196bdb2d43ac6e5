import { context } from "@opentelemetry/api";
import {
  type AttemptContext,
  type BodyHint,
  type Governor,
  readBodyHint,
  registerSecret,
  serverOfUrl,
  UpstreamError,
} from "@swarmgate/core";
import { answerOf, maxTokensOf, reportAnswer, serverOf } from "./answer.js";
import { rewriteBaseUrl } from "./base-url.js";
import { type CallScope, callScope } from "./call-scope.js";
import { classifyRequest, type RequestClassification } from "./classify-request.js";
import {
  expectGovernor,
  type GovernanceOptions,
  governorOf,
  type ResolvedGovernance,
  resolveGovernance,
} from "./options.js";
import { holdWhileStreaming, isEventStream } from "./streaming.js";
import { recordTimeToFirstChunk, startHttpAttempt } from "./telemetry.js";
import { estimateTokens, usageOf } from "./usage.js";

/** @internal One request, read once so that every attempt can send it again. */
interface OutgoingRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: RequestInit["body"];
  readonly signal: AbortSignal | undefined;
  readonly json: unknown;
}

// JSON text, or undefined when it is not.
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const decoder = new TextDecoder();

async function readRequest(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
): Promise<OutgoingRequest> {
  const request = input instanceof Request ? input : undefined;
  const url = request ? request.url : input instanceof URL ? input.href : String(input);
  const headers = new Headers(init?.headers ?? request?.headers);
  let body: RequestInit["body"] = init?.body ?? undefined;
  if (body === undefined && request?.body) body = await request.arrayBuffer();
  // A stream can be read only once; a retry must send the same bytes again.
  if (body instanceof ReadableStream) body = await new Response(body).arrayBuffer();
  const json = typeof body === "string" && /^\s*[[{]/.test(body) ? parseJson(body) : undefined;
  const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
  return { url, method, headers, body, signal: init?.signal ?? request?.signal ?? undefined, json };
}

/** @internal An upstream answer that was not a success, carried through the governor's retries. */
class UpstreamResponse extends UpstreamError {
  constructor(
    readonly response: Response,
    bodyHint: BodyHint | undefined,
  ) {
    super(`HTTP ${response.status} ${response.statusText}`.trim(), response.status, {
      requestId: response.headers.get("x-request-id") ?? undefined,
      bodyHint,
    });
  }
}

// The final upstream answer behind a governor error (a 429 that outlived its retries is a
// ThrottledError, a 402 a BudgetExceededError, both with the answer as cause).
function carriedResponse(error: unknown): Response | undefined {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    if (e instanceof UpstreamResponse) return e.response;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

// A Response that hands an answer's bytes out again (same status, headers and URL).
function copyOf(response: Response, body: ArrayBuffer): Response {
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  if (response.url) Object.defineProperty(copy, "url", { value: response.url });
  return copy;
}

// The answer read once, so that it can be returned after the retries; a 429's or 503's
// body may say when to come back ("try again in 11.4s", a cold start's `estimated_time`).
async function failed(response: Response): Promise<UpstreamResponse> {
  const body = await response.arrayBuffer().catch(() => new ArrayBuffer(0));
  const waitable = response.status === 429 || response.status === 503;
  return new UpstreamResponse(copyOf(response, body), waitable ? readBodyHint(body) : undefined);
}

// The trace headers of one attempt go on a copy of the request's headers, made only when
// the propagator writes one: every attempt sends its own `traceparent`, the caller's
// headers stay as they were, and nothing is copied when no SDK records.
interface TraceHeaders {
  readonly base: Headers;
  copy: Headers | undefined;
}
const traceHeaderSetter = {
  set(carrier: TraceHeaders, key: string, value: string): void {
    carrier.copy ??= new Headers(carrier.base);
    carrier.copy.set(key, value);
  },
};

const bodyModel = (json: unknown): string | undefined => {
  const model = (json as { model?: unknown } | undefined)?.model;
  return typeof model === "string" ? model : undefined;
};

/** @internal The seam shared by `governedFetch` and `GovernedInferenceClient`. */
export function createSeam(governor: Governor, o: ResolvedGovernance): typeof fetch {
  // One HTTP attempt: span, duration, rate-limit feedback, usage and cost of a JSON answer.
  const send = async (
    g: Governor,
    ctx: AttemptContext,
    req: OutgoingRequest,
    target: string,
    call: { operation: string; model: string | undefined; provider: string | undefined; governor: string },
    callerSignal: AbortSignal | undefined,
  ): Promise<Response> => {
    const signal =
      callerSignal && callerSignal !== ctx.signal ? AbortSignal.any([callerSignal, ctx.signal]) : ctx.signal;
    const attempt = startHttpAttempt(g, req.method, target, ctx.attempt);
    const headers: TraceHeaders = { base: req.headers, copy: undefined };
    attempt.inject(headers, traceHeaderSetter);
    let response: Response;
    try {
      response = await attempt.run(() =>
        o.fetch(target, {
          method: req.method,
          headers: headers.copy ?? req.headers,
          body: req.body ?? null,
          signal,
        }),
      );
    } catch (error) {
      attempt.end({ error });
      throw error;
    }
    attempt.end({ status: response.status });
    ctx.observe(response);
    const json = response.headers.get("content-type")?.startsWith("application/json");
    if (!response.ok || !json || call.operation === "hub_lookup") return response;
    // A JSON answer is read here, once (a clone would tee its stream: twice the work for
    // every call), and handed back as the same bytes; a body cut short fails the attempt.
    const body = await response.arrayBuffer();
    const answer = parseJson(decoder.decode(body));
    const usage = usageOf(answer);
    reportAnswer(ctx, answerOf(answer));
    if (usage) {
      const provider =
        call.provider === "auto"
          ? (response.headers.get("x-inference-provider") ?? undefined)
          : call.provider;
      ctx.reportUsage({ ...usage, costUsd: o.priceBook.cost(call.model, provider, usage) });
    }
    return copyOf(response, body);
  };

  // A logical call of its own: retried by the governor; the final answer is returned as a Response.
  const ownCall = async (
    g: Governor,
    req: OutgoingRequest,
    cls: RequestClassification,
    target: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> => {
    const call = { operation: cls.operation, model: cls.model, provider: cls.provider, governor: g.name };
    const tokens =
      cls.requestClass === "inference" && req.json !== undefined
        ? estimateTokens(req.json, o.defaultOutputTokens)
        : undefined;
    const estimate = tokens && o.priceBook.cost(cls.model, cls.provider, tokens);
    const maxTokens = cls.requestClass === "inference" ? maxTokensOf(req.json) : undefined;
    const server = serverOf(target);
    const labels = { ...call, server: serverOfUrl(target) };
    const startedAt = performance.now();
    try {
      return await g.run(
        async (ctx) => {
          reportAnswer(ctx, server);
          const response = await send(g, ctx, req, target, call, undefined);
          if (!response.ok) throw await failed(response);
          if (cls.requestClass !== "inference" || !isEventStream(response)) return response;
          const active = context.active(); // the call's span: the first chunk's exemplar links to it
          return holdWhileStreaming(
            response,
            ctx,
            () => recordTimeToFirstChunk(g, labels, (performance.now() - startedAt) / 1000, active),
            ({ usage, response: answer }) => {
              reportAnswer(ctx, answer);
              if (usage)
                ctx.reportUsage({ ...usage, costUsd: o.priceBook.cost(cls.model, cls.provider, usage) });
            },
          );
        },
        {
          operation: cls.operation,
          model: cls.model,
          provider: cls.provider,
          requestClass: cls.requestClass,
          breakerKey: cls.breakerKey,
          ...(estimate === undefined ? {} : { estimatedCostUsd: estimate }),
          ...(tokens === undefined ? {} : { estimatedTokens: tokens.inputTokens + tokens.outputTokens }),
          ...(maxTokens === undefined ? {} : { maxTokens }),
          ...(signal ? { signal } : {}),
        },
      );
    } catch (error) {
      const response = carriedResponse(error);
      if (response) return response;
      throw error;
    }
  };

  // A request of the caller's logical call: one attempt of it, observed, not retried here.
  const join = async (scope: CallScope, req: OutgoingRequest, cls: RequestClassification, target: string) => {
    const call = {
      operation: cls.operation,
      model: scope.model ?? cls.model,
      provider: scope.provider ?? cls.provider,
      governor: scope.governor.name,
    };
    reportAnswer(scope.context, serverOf(target));
    scope.server = serverOfUrl(target);
    const response = await send(scope.governor, scope.context, req, target, call, req.signal);
    scope.lastResponse = { status: response.status, headers: response.headers };
    return response;
  };

  return async (input, init) => {
    const req = await readRequest(input, init);
    const auth = req.headers.get("authorization");
    if (auth) registerSecret(auth.replace(/^Bearer\s+/i, ""));
    const g = governorOf(governor, o, req.headers.get("x-hf-bill-to"));
    const cls = classifyRequest(req.url, req.method, bodyModel(req.json), o.baseUrl);
    const target = rewriteBaseUrl(req.url, o.baseUrl);
    const scope = callScope.getStore();
    const inScope = scope !== undefined && scope.governor === g;
    if (inScope && cls.requestClass === "inference") return join(scope, req, cls, target);
    if (cls.requestClass === "inference" || (req.method !== "GET" && req.method !== "HEAD"))
      return ownCall(g, req, cls, target, req.signal);
    // Hub reads: concurrent identical ones share one request (and one permit).
    const key = `${req.method} ${target} ${auth ?? ""}`;
    try {
      const response = await o.coalescer.run(key, () => ownCall(g, req, cls, target, undefined), req.signal);
      if (inScope && !response.ok) scope.hubLookupFailed = true;
      return response;
    } catch (error) {
      if (inScope) scope.hubLookupFailed = true;
      throw error;
    }
  };
}

/**
 * A `fetch` with the governor's governance, for any HTTP client: the OpenAI SDK
 * (`new OpenAI({ fetch })`), LangChain's `ChatOpenAI` (`configuration: { fetch }`), or raw
 * calls. Each request is one logical call — quota permit per attempt, concurrency slot
 * (held by a stream until its body ends or is cancelled), breaker per provider, retries
 * of 429/5xx honouring `RateLimit`/`Retry-After` — classified by its URL (Hub API →
 * `api`, files → `resolvers`, router → `inference`). The final upstream answer is
 * returned as a `Response` whatever its status (fetch semantics); refusals by the
 * governor itself (`BudgetExceededError`, `CircuitOpenError`, `ThrottledError`,
 * `QueueFullError`, `TimeoutError`) reject. Inside a call of a `GovernedInferenceClient`
 * (or any code that runs in one), requests join that call instead.
 *
 * @example
 * const openai = new OpenAI({ baseURL: "https://router.huggingface.co/v1", apiKey: process.env.HF_TOKEN,
 *   fetch: governedFetch(governor), maxRetries: 0 });
 */
export function governedFetch(governor: Governor, options: GovernanceOptions = {}): typeof fetch {
  return createSeam(expectGovernor("governor", governor), resolveGovernance(options));
}
