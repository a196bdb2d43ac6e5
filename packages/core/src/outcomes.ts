// The closed sets of values a call's telemetry speaks in (re-exported by semconv.ts).

/** Where a throttle came from (`swarmgate.throttle.source`). */
export type ThrottleSource =
  | "local_window"
  | "local_concurrency"
  | "server_429"
  | "server_503"
  | "breaker_open";

/** How a logical call ended (`swarmgate.outcome`). */
export type Outcome =
  | "success"
  | "error"
  | "rate_limited"
  | "budget_exceeded"
  | "circuit_open"
  | "queue_full"
  | "timeout"
  | "aborted"
  | "closed";
