import {
  type Attributes,
  type HrTime,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { Clock } from "./clock.js";
import { ATTR, EVENT, SPAN, type ThrottleSource } from "./semconv.js";
import { exemplarContext } from "./telemetry-attributes.js";
import type { Instruments } from "./telemetry-instruments.js";

// The SDK's clock, in epoch milliseconds with sub-millisecond digits: the one span times use.
const sdkNow = (): number => performance.timeOrigin + performance.now();

// As [seconds, nanoseconds]: a number of milliseconds before the process's time origin
// would be read as an offset from it.
function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6));
  return [seconds, nanos];
}

/**
 * @internal A retry's delay as a child span of the call, started when the retry is decided;
 * {@link endRetryWait} ends it when the next attempt starts (or the call ends).
 */
export interface RetryWait {
  readonly span: Span;
  /** Its start on the SDK's clock, and on the governor's. */
  readonly startedAt: number;
  readonly governorStartedAt: number;
}

function startWait(tracer: Tracer, parent: Span, startMs: number, attributes: Attributes): Span {
  return tracer.startSpan(
    SPAN.wait,
    { kind: SpanKind.INTERNAL, startTime: hrTime(startMs), attributes },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
}

/**
 * @internal A throttle: counted (`swarmgate.throttles`, an event on the call's span) unless it
 * is only the wait after a refusal already counted; its wait, when there was one, recorded
 * (`swarmgate.throttle.wait`, a `swarmgate.wait` span).
 */
export function recordThrottle(
  instruments: Pick<Instruments, "throttles" | "throttleWait">,
  tracer: Tracer,
  span: Span,
  metricAttrs: Attributes,
  throttle: { readonly source: ThrottleSource; readonly waitMs: number; readonly counted: boolean },
): void {
  const { source, waitMs, counted } = throttle;
  if (counted) instruments.throttles.add(1, metricAttrs);
  if (waitMs > 0) instruments.throttleWait.record(waitMs / 1000, metricAttrs, exemplarContext(span));
  if (!span.isRecording()) return;
  if (counted)
    span.addEvent(EVENT.THROTTLE, {
      [ATTR.SWARMGATE_THROTTLE_SOURCE]: source,
      [ATTR.SWARMGATE_THROTTLE_WAIT]: waitMs / 1000,
    });
  if (waitMs > 0) recordThrottleWait(tracer, span, source, waitMs);
}

/**
 * @internal A wait for a permit or a slot, reported at its end: a child span of the call that
 * ends now and starts `waitMs` (the governor's clock) before. Recording parents only.
 */
function recordThrottleWait(tracer: Tracer, parent: Span, source: ThrottleSource, waitMs: number): void {
  const end = sdkNow();
  startWait(tracer, parent, end - waitMs, {
    [ATTR.SWARMGATE_WAIT_SOURCE]: source,
    [ATTR.SWARMGATE_THROTTLE_SOURCE]: source,
    [ATTR.SWARMGATE_THROTTLE_WAIT]: waitMs / 1000,
  }).end(hrTime(end));
}

/** @internal Starts the span of a retry's delay (recording parents only). */
export function startRetryWait(
  tracer: Tracer,
  parent: Span,
  clock: Clock,
  retry: number,
  reason: string,
  delayMs: number,
): RetryWait {
  const startedAt = sdkNow();
  const span = startWait(tracer, parent, startedAt, {
    [ATTR.SWARMGATE_WAIT_SOURCE]: "retry",
    [ATTR.HTTP_REQUEST_RESEND_COUNT]: retry,
    [ATTR.SWARMGATE_RETRY_REASON]: reason,
    [ATTR.SWARMGATE_RETRY_DELAY]: delayMs / 1000,
  });
  return { span, startedAt, governorStartedAt: clock.now() };
}

/** @internal Ends a retry's delay: as long after its start as the governor's clock moved. */
export function endRetryWait(wait: RetryWait, clock: Clock): void {
  try {
    wait.span.end(hrTime(wait.startedAt + Math.max(0, clock.now() - wait.governorStartedAt)));
  } catch {
    // telemetry never throws into the user's call
  }
}
