import type { Context } from "@opentelemetry/api";
import type { CallLabels, Governor, HttpAttempt } from "@swarmgate/core";

/** What `send()` uses of an HTTP attempt. */
export type SentAttempt = Pick<HttpAttempt, "run" | "inject" | "end">;

const noAttempt: SentAttempt = { run: (send) => send(), inject() {}, end() {} };

/**
 * Starts the child CLIENT span of one HTTP attempt (and its `http.client.request.duration`)
 * through the governor's telemetry hooks, so that it lands under the call's span with the
 * governor's tracer, meter and naming; or, when an HTTP instrumentation makes that span
 * (`telemetry.httpSpans`), an attempt that records nothing. Never throws into the call.
 */
export function startHttpAttempt(
  governor: Governor,
  method: string,
  url: string,
  attempt: number,
): SentAttempt {
  try {
    return governor.telemetry?.startHttpAttempt({ method, url, attempt }) ?? noAttempt;
  } catch {
    return noAttempt;
  }
}

/**
 * Records `gen_ai.client.operation.time_to_first_chunk` of a stream, through the governor;
 * `context` (the call's, default the active one) links it to the call's trace as an exemplar.
 */
export function recordTimeToFirstChunk(
  governor: Governor,
  call: CallLabels,
  seconds: number,
  context?: Context,
): void {
  try {
    governor.telemetry?.recordTimeToFirstChunk(call, seconds, context);
  } catch {
    // telemetry never breaks the call it observes
  }
}
