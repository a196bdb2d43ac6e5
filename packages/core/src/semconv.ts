// Every telemetry name swarmgate emits, in one place: the OpenTelemetry GenAI conventions
// (v1.41, Development status) are still being renamed, and our own names are public API.
// docs/telemetry.md documents each of them; a test checks that it names every one.

/** GenAI, HTTP and swarmgate attribute names. */
export const ATTR = {
  GEN_AI_OPERATION_NAME: "gen_ai.operation.name",
  GEN_AI_PROVIDER_NAME: "gen_ai.provider.name",
  GEN_AI_REQUEST_MODEL: "gen_ai.request.model",
  GEN_AI_RESPONSE_MODEL: "gen_ai.response.model",
  GEN_AI_RESPONSE_ID: "gen_ai.response.id",
  GEN_AI_RESPONSE_FINISH_REASONS: "gen_ai.response.finish_reasons",
  GEN_AI_REQUEST_MAX_TOKENS: "gen_ai.request.max_tokens",
  GEN_AI_USAGE_INPUT_TOKENS: "gen_ai.usage.input_tokens",
  GEN_AI_USAGE_OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
  GEN_AI_TOKEN_TYPE: "gen_ai.token.type",
  GEN_AI_CONVERSATION_ID: "gen_ai.conversation.id",
  GEN_AI_AGENT_ID: "gen_ai.agent.id",
  GEN_AI_AGENT_NAME: "gen_ai.agent.name",
  /** Opt-in only (`captureContent`): the prompt, as JSON. */
  GEN_AI_INPUT_MESSAGES: "gen_ai.input.messages",
  /** Opt-in only (`captureContent`): the completion, as JSON. */
  GEN_AI_OUTPUT_MESSAGES: "gen_ai.output.messages",
  ERROR_TYPE: "error.type",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
  URL_FULL: "url.full",
  HTTP_REQUEST_METHOD: "http.request.method",
  HTTP_REQUEST_RESEND_COUNT: "http.request.resend_count",
  HTTP_RESPONSE_STATUS_CODE: "http.response.status_code",
  SWARMGATE_GOVERNOR: "swarmgate.governor",
  SWARMGATE_REQUEST_CLASS: "swarmgate.request_class",
  SWARMGATE_ROUTED_PROVIDER: "swarmgate.routed_provider",
  SWARMGATE_ATTEMPTS: "swarmgate.attempts",
  SWARMGATE_THROTTLE_WAIT: "swarmgate.throttle.wait",
  SWARMGATE_THROTTLE_SOURCE: "swarmgate.throttle.source",
  /** On a `swarmgate.wait` span: `local_window`, `local_concurrency`, `breaker_open` (for the probe) or `retry` (the delay before a retry). */
  SWARMGATE_WAIT_SOURCE: "swarmgate.wait.source",
  SWARMGATE_RETRY_REASON: "swarmgate.retry.reason",
  SWARMGATE_RETRY_DELAY: "swarmgate.retry.delay",
  SWARMGATE_COST_USD: "swarmgate.cost.usd",
  SWARMGATE_BREAKER_KEY: "swarmgate.breaker.key",
  SWARMGATE_BREAKER_STATE: "swarmgate.breaker.state",
  SWARMGATE_BREAKER_PREVIOUS_STATE: "swarmgate.breaker.previous_state",
  SWARMGATE_QUOTA_REMAINING: "swarmgate.quota.remaining",
  SWARMGATE_UPSTREAM_RATE: "swarmgate.upstream.rate",
  SWARMGATE_STORE_FALLBACK: "swarmgate.store.fallback",
  SWARMGATE_QUOTA_WINDOW: "swarmgate.window",
  SWARMGATE_OUTCOME: "swarmgate.outcome",
} as const;

/** Metric instrument names (DESIGN.md, "Telemetry"). */
export const METRIC = {
  OPERATION_DURATION: "gen_ai.client.operation.duration",
  TOKEN_USAGE: "gen_ai.client.token.usage",
  TIME_TO_FIRST_CHUNK: "gen_ai.client.operation.time_to_first_chunk",
  HTTP_CLIENT_DURATION: "http.client.request.duration",
  REQUESTS: "swarmgate.requests",
  RETRIES: "swarmgate.retries",
  THROTTLES: "swarmgate.throttles",
  THROTTLE_WAIT: "swarmgate.throttle.wait",
  BREAKER_STATE: "swarmgate.breaker.state",
  CREDITS_SPENT: "swarmgate.credits.spent",
  CREDITS_REMAINING: "swarmgate.credits.remaining",
  RATELIMIT_REMAINING: "swarmgate.ratelimit.remaining",
  RATELIMIT_LIMIT: "swarmgate.ratelimit.limit",
  CONCURRENCY_LIMIT: "swarmgate.concurrency.limit",
  CONCURRENCY_IN_FLIGHT: "swarmgate.concurrency.in_flight",
  QUEUE_DEPTH: "swarmgate.queue.depth",
} as const;

/** Span event names. */
export const EVENT = {
  RETRY: "swarmgate.retry",
  THROTTLE: "swarmgate.throttle",
  BREAKER: "swarmgate.breaker.state_change",
  /** `span.recordException` on a failed call's span (exception.type, .message, .stacktrace; redacted). */
  EXCEPTION: "exception",
} as const;

/** Span names that are not `{operation} {model}`. */
export const SPAN = {
  /** The child CLIENT span of one HTTP attempt is named by its method alone, per the HTTP conventions. */
  httpAttempt: (method: string) => method.toUpperCase(),
  /** The INTERNAL child span of one wait of a call (a permit, a slot, a retry's delay). */
  wait: "swarmgate.wait",
} as const;

/** `gen_ai.client.operation.duration` and time-to-first-chunk buckets (seconds), from the GenAI conventions. */
export const DURATION_BUCKETS_S = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;

/** `gen_ai.client.token.usage` buckets, from the GenAI conventions. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;

/** `http.client.request.duration` buckets (seconds), from the HTTP conventions. */
export const HTTP_DURATION_BUCKETS_S = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;

/** `swarmgate.throttle.wait` buckets (seconds): a wait runs from a millisecond to a 5-minute window. */
export const THROTTLE_WAIT_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
] as const;

/** One metric instrument: what `@swarmgate/otel` turns into views and docs/telemetry.md lists. */
export interface MetricDefinition {
  readonly name: string;
  readonly instrument: "counter" | "histogram" | "gauge" | "updowncounter";
  readonly unit: string;
  readonly description: string;
  /** Explicit bucket boundaries of a histogram. */
  readonly buckets?: readonly number[];
}

/** Every metric swarmgate records, in the default (`semconv: "default"`) naming. */
export const METRICS: readonly MetricDefinition[] = [
  {
    name: METRIC.OPERATION_DURATION,
    instrument: "histogram",
    unit: "s",
    description: "Duration of GenAI operations, retries and waits included",
    buckets: DURATION_BUCKETS_S,
  },
  {
    name: METRIC.TOKEN_USAGE,
    instrument: "histogram",
    unit: "{token}",
    description: "Input and output tokens per operation",
    buckets: TOKEN_BUCKETS,
  },
  {
    name: METRIC.TIME_TO_FIRST_CHUNK,
    instrument: "histogram",
    unit: "s",
    description: "Time from the start of a streamed call to its first chunk",
    buckets: DURATION_BUCKETS_S,
  },
  {
    name: METRIC.HTTP_CLIENT_DURATION,
    instrument: "histogram",
    unit: "s",
    description: "Duration of one HTTP attempt",
    buckets: HTTP_DURATION_BUCKETS_S,
  },
  {
    name: METRIC.REQUESTS,
    instrument: "counter",
    unit: "{request}",
    description: "Logical calls, by outcome",
  },
  { name: METRIC.RETRIES, instrument: "counter", unit: "{retry}", description: "Retries, by reason" },
  { name: METRIC.THROTTLES, instrument: "counter", unit: "{throttle}", description: "Throttles, by source" },
  {
    name: METRIC.THROTTLE_WAIT,
    instrument: "histogram",
    unit: "s",
    description: "Time spent waiting for a quota permit, a concurrency slot or an open breaker's probe",
    buckets: THROTTLE_WAIT_BUCKETS_S,
  },
  {
    name: METRIC.BREAKER_STATE,
    instrument: "gauge",
    unit: "1",
    description: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
  },
  { name: METRIC.CREDITS_SPENT, instrument: "counter", unit: "USD", description: "Credits spent" },
  {
    name: METRIC.CREDITS_REMAINING,
    instrument: "gauge",
    unit: "USD",
    description: "Credits left in the month's budget",
  },
  {
    name: METRIC.RATELIMIT_REMAINING,
    instrument: "gauge",
    unit: "{request}",
    description: "Permits left in a quota window",
  },
  {
    name: METRIC.RATELIMIT_LIMIT,
    instrument: "gauge",
    unit: "{request}",
    description: "Quota of a window (configured, or learnt from RateLimit-Policy)",
  },
  {
    name: METRIC.CONCURRENCY_LIMIT,
    instrument: "gauge",
    unit: "{request}",
    description: "Current concurrency limit (ramp and AIMD)",
  },
  {
    name: METRIC.CONCURRENCY_IN_FLIGHT,
    instrument: "updowncounter",
    unit: "{request}",
    description: "Attempts holding a concurrency slot",
  },
  {
    name: METRIC.QUEUE_DEPTH,
    instrument: "updowncounter",
    unit: "{request}",
    description: "Callers waiting for a concurrency slot",
  },
];

/**
 * Which generation of the GenAI names to emit. `"default"` is the names of DESIGN.md
 * (GenAI conventions v1.41); `"latest"` follows the renames proposed in the GenAI
 * conventions' own repository ({@link SEMCONV_RENAMES}). Speculative: those proposals are
 * in Development status and may change again.
 */
export type SemconvMode = "default" | "latest";

/** What `semconv: "latest"` emits instead of a default name. */
export interface SemconvRename {
  readonly name: string;
  readonly latest: readonly string[];
  readonly note: string;
}

/** The rename table behind `semconv: "latest"`; docs/telemetry.md reproduces it. */
export const SEMCONV_RENAMES: readonly SemconvRename[] = [
  {
    name: METRIC.TOKEN_USAGE,
    latest: [
      "gen_ai.client.inference.operation.input_tokens",
      "gen_ai.client.inference.operation.output_tokens",
    ],
    note: "one histogram per token type, without gen_ai.token.type (proposal, semantic-conventions-genai)",
  },
];

/** The token of `OTEL_SEMCONV_STABILITY_OPT_IN` that selects the latest GenAI names. */
export const GEN_AI_LATEST_OPT_IN = "gen_ai_latest_experimental";

/** Reads `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list): `latest` when it names {@link GEN_AI_LATEST_OPT_IN}. */
export function semconvModeFromEnv(value: string | undefined): SemconvMode {
  if (!value) return "default";
  return value.split(",").some((token) => token.trim() === GEN_AI_LATEST_OPT_IN) ? "latest" : "default";
}

export type { Outcome, ThrottleSource } from "./outcomes.js";
