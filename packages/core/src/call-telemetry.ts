import type { Context, Tracer } from "@opentelemetry/api";
import type { SemconvMode } from "./semconv.js";
import type { HttpAttempt, HttpAttemptInfo } from "./telemetry-http.js";
import type { CallServer } from "./telemetry-labels.js";

/** What the governor's gauges read when a metric reader collects. */
export interface GaugeSource {
  concurrency(): { limit: number; inFlight: number; queued: number };
  breakers(): Record<string, number>;
  quota(): Promise<{ requestClass: string; window: string; remaining: number; limit: number }[]>;
  credits(): Promise<{ remainingUsd: number } | undefined>;
}

/** What an adapter names a call by on its own metrics (time to first chunk). */
export interface CallLabels {
  /** `gen_ai.operation.name`. @default "chat" */
  readonly operation?: string;
  readonly model?: string;
  /** The routed provider. */
  readonly provider?: string;
  /** `server.address` and `server.port` of the answer's server, as on the other GenAI metrics (`serverOfUrl`). */
  readonly server?: CallServer | undefined;
}

/**
 * The telemetry hooks a governor offers to adapters (`governor.telemetry`): the HTTP
 * attempt spans and metrics only the code that speaks HTTP can record, in the governor's
 * tracer and meter, with the names of `semconv.ts`.
 */
export interface CallTelemetry {
  /** The naming generation in force (`telemetry.semconv`). */
  readonly semconv: SemconvMode;
  /** Whether the user opted in to recording prompt and completion text. */
  readonly captureContent: boolean;
  /** The governor's tracer (`@swarmgate/core`), for adapters' own spans. */
  readonly tracer: Tracer;
  /**
   * Starts the child CLIENT span of one HTTP attempt under the active span (inside
   * `governor.run`, the call's span). Send the request inside `run`, with the headers
   * `inject` wrote; end it with the response status or the error. When an HTTP
   * instrumentation makes the request's span (`telemetry.httpSpans`), the attempt records
   * nothing and `inject` writes nothing (`instrumented` is true).
   *
   * @example
   * const http = governor.telemetry.startHttpAttempt({ method: "POST", url, attempt });
   * const headers = { "content-type": "application/json" };
   * http.inject(headers);
   * const response = await http
   *   .run(() => fetch(url, { method: "POST", headers, body, signal }))
   *   .catch((error) => {
   *     http.end({ error });
   *     throw error;
   *   });
   * http.end({ status: response.status });
   */
  startHttpAttempt(info: HttpAttemptInfo): HttpAttempt;
  /**
   * Records `gen_ai.client.operation.time_to_first_chunk` for a streamed call. `context`
   * (default: the active one) should hold the call's span, so that an SDK that keeps
   * exemplars links the point to the call's trace.
   */
  recordTimeToFirstChunk(call: CallLabels, seconds: number, context?: Context): void;
}
