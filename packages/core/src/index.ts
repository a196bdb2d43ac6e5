export type {
  Attempt,
  AttemptContext,
  ResponseLike,
  ResponseReport,
  UsageReport,
} from "./attempt-context.js";
export type { BodyHint } from "./body-hint.js";
export { MAX_BODY_HINT_MS, readBodyHint } from "./body-hint.js";
export type { BreakerOptions, BreakerState } from "./breaker.js";
export { breakerStateValue } from "./breaker.js";
export type { BudgetOptions } from "./budget.js";
export { monthOf } from "./budget.js";
export type { CallInfo } from "./call-info.js";
export type { ErrorVerdict, FailureReason } from "./classify.js";
export { classifyError, isFinal, markFinal, statusOf } from "./classify.js";
export type { Clock, TimerHandle } from "./clock.js";
export { boundedClock, MAX_TIMER_MS, sleep, systemClock } from "./clock.js";
export { compose } from "./compose.js";
export type { ConcurrencyOptions } from "./concurrency.js";
export { ConcurrencyLimiter } from "./concurrency.js";
export type { Disposable } from "./emitter.js";
export type { SwarmgateErrorCode } from "./errors.js";
export {
  BudgetExceededError,
  CircuitOpenError,
  GovernorClosedError,
  isBudgetExceededError,
  isCircuitOpenError,
  isPolicyError,
  isQueueFullError,
  isSwarmgateError,
  isThrottledError,
  isTimeoutError,
  isUpstreamError,
  PolicyError,
  QueueFullError,
  SwarmgateError,
  ThrottledError,
  TimeoutError,
  UpstreamError,
} from "./errors.js";
export type { GovernorEvents } from "./events.js";
export type { Governor, GovernorSnapshot } from "./governor.js";
export { createGovernor } from "./governor.js";
export { isGovernedHttpAttempt } from "./http-attempt-context.js";
export type { LatencySnapshot } from "./latency-histogram.js";
export { LatencyHistogram } from "./latency-histogram.js";
export { ManualClock } from "./manual-clock.js";
export { acquireAll, memoryStore, windowFor } from "./memory-store.js";
export type { GovernorOptions, WindowOptions } from "./options.js";
export { attemptTimeoutPolicy } from "./policies/attempt-timeout.js";
export { breakerPolicy } from "./policies/breaker.js";
export type { BudgetPolicyOptions } from "./policies/budget.js";
export { budgetPolicy } from "./policies/budget.js";
export { concurrencyPolicy } from "./policies/concurrency.js";
export type { QuotaPolicyOptions } from "./policies/quota.js";
export { quotaPolicy } from "./policies/quota.js";
export { retryPolicy } from "./policies/retry.js";
export type { UpstreamOptions } from "./policies/upstream.js";
export { MAX_UPSTREAM_KEYS, upstreamPolicy } from "./policies/upstream.js";
export type {
  AttemptEndListener,
  CallEndListener,
  Next,
  Policy,
  PolicyContext,
  PolicyKit,
  PolicySnapshot,
  PolicyState,
  Reporter,
  UpstreamSnapshot,
  UsageTotals,
} from "./policy.js";
export type { HuggingFacePresetOptions, HuggingFaceTier } from "./presets.js";
export { includedCreditsUsd, presets } from "./presets.js";
export type { UpstreamLimit } from "./provider-limits.js";
export { MAX_UPSTREAM_RESET_MS, parseResetDuration, readUpstreamLimits } from "./provider-limits.js";
export type { QueueKind, WaitRequest } from "./queues/wait-queue.js";
export { QUEUE_KINDS } from "./queues/wait-queue.js";
export type { GateRequest } from "./quota-gate.js";
export { QuotaGate } from "./quota-gate.js";
export type {
  AcquireResult,
  Awaitable,
  CreditLedger,
  CreditReservation,
  QuotaStore,
  SharedBreaker,
  SlotLease,
  SlotPool,
  WindowCorrection,
  WindowGroup,
  WindowSnapshot,
  WindowSpec,
} from "./quota-store.js";
export type { RateLimitPolicyValue, RateLimitValue } from "./ratelimit-headers.js";
export { parseRateLimit, parseRateLimitPolicy } from "./ratelimit-headers.js";
export { redact, redactError, registerSecret } from "./redact.js";
export type { RetryOptions } from "./retry.js";
export { RetryBudget, retryDelay } from "./retry.js";
export { parseRetryAfter } from "./retry-after.js";
export type {
  MetricDefinition,
  Outcome,
  SemconvMode,
  SemconvRename,
  ThrottleSource,
} from "./semconv.js";
export {
  ATTR,
  DURATION_BUCKETS_S,
  EVENT,
  GEN_AI_LATEST_OPT_IN,
  HTTP_DURATION_BUCKETS_S,
  METRIC,
  METRICS,
  SEMCONV_RENAMES,
  SPAN,
  semconvModeFromEnv,
  THROTTLE_WAIT_BUCKETS_S,
  TOKEN_BUCKETS,
} from "./semconv.js";
export type { HeadersLike, ServerFeedback } from "./server-feedback.js";
export { readServerFeedback } from "./server-feedback.js";
export { serverOfUrl } from "./server-of.js";
export { MAX_ADOPTED_QUOTA, MAX_SERVER_WAIT_MS, WINDOW_WAIT_CEILING } from "./server-wait.js";
export type { GovernorStats } from "./stats.js";
export type { CallLabels, CallServer, CallTelemetry } from "./telemetry.js";
export { errorTypeOf } from "./telemetry.js";
export type { HttpAttempt, HttpAttemptInfo, HttpAttemptResult } from "./telemetry-http.js";
export type { HttpSpans, TelemetryOptions } from "./telemetry-options.js";
// Option validation in swarmgate's style, shared with the adapter packages.
export {
  closestName,
  expectDuration,
  expectFunction,
  expectInteger,
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  fail as invalidOption,
  unknownOption,
} from "./validate.js";
export { VERSION } from "./version.js";
export { WindowState } from "./window-state.js";
