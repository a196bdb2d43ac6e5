import type { Span } from "@opentelemetry/api";
import type { BreakerState } from "./breaker.js";
import type { CallHost } from "./call-host.js";
import type { CallInfo } from "./call-info.js";
import type { FailureReason } from "./classify.js";
import type { Reporter } from "./policy.js";
import type { ThrottleSource } from "./semconv.js";
import type { MetricLabels } from "./telemetry-labels.js";

/**
 * @internal The reporting half of a call: its span, its metric labels, and the
 * {@link Reporter} through which policies tell stats, metrics, span events and governor
 * events what they did. The call itself extends it (no extra object per call).
 */
export abstract class CallReporter implements Reporter {
  readonly host: CallHost;
  readonly info: CallInfo;
  readonly requestClass: string;
  protected readonly span: Span;
  protected readonly labels: MetricLabels;
  protected throttleWaitMs = 0;

  constructor(host: CallHost, info: CallInfo) {
    this.host = host;
    this.info = info;
    this.requestClass = info.requestClass ?? host.defaultRequestClass;
    this.labels = host.telemetry.labels({
      operation: info.operation ?? "chat",
      model: info.model,
      provider: info.provider,
    });
    this.span = host.telemetry.startCall(this.labels, info.attributes);
  }

  get reporter(): Reporter {
    return this;
  }

  get recording(): boolean {
    return this.span.isRecording();
  }

  throttled(source: ThrottleSource, waitMs: number, requestClass = this.requestClass): void {
    const host = this.host;
    this.throttleWaitMs += waitMs;
    host.stats.throttles[source]++;
    host.telemetry.throttle(this.span, this.labels, source, waitMs);
    // The event is about local waits; the server's refusals are counted, not waited for.
    if ((source === "local_window" || source === "local_concurrency") && host.events.has("throttle"))
      host.events.emit("throttle", { source, waitMs, requestClass, info: this.info });
  }

  retrying(attempt: number, reason: FailureReason, delayMs: number, error: unknown): void {
    const host = this.host;
    host.stats.retry(reason);
    host.telemetry.retry(this.span, this.labels, attempt, reason, delayMs);
    if (host.events.has("retry"))
      host.events.emit("retry", { attempt, reason, delayMs, error, info: this.info });
  }

  breakerMoved(key: string, from: BreakerState, to: BreakerState): void {
    this.host.telemetry.breakerChanged(this.span, key, from, to);
  }
}
