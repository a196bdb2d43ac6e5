import { type Context, context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";

// The key `suppressTracing` of @opentelemetry/core sets and every SDK tracer and W3C
// propagator reads: `createContextKey` is `Symbol.for`, so this is the same key without a
// dependency on the SDK (a library depends on the API only).
const SUPPRESS_TRACING = createContextKey("OpenTelemetry SDK Context Key SUPPRESS_TRACING");
const GOVERNED_ATTEMPT = createContextKey("swarmgate HTTP attempt");

/**
 * @internal The context the transport call of an attempt whose span swarmgate makes runs
 * in: the attempt's, with tracing suppressed (an HTTP instrumentation underneath makes a
 * non-recording span and injects nothing) and marked for {@link isGovernedHttpAttempt}.
 */
export const transportContext = (attempt: Context): Context =>
  attempt === ROOT_CONTEXT ? ROOT_TRANSPORT : mark(attempt);

const mark = (ctx: Context): Context => ctx.setValue(SUPPRESS_TRACING, true).setValue(GOVERNED_ATTEMPT, true);
// Without a context manager (no SDK, or one that keeps none) every attempt starts from the
// root context: its transport context is made once, not twice a request.
const ROOT_TRANSPORT = mark(ROOT_CONTEXT);

/**
 * Whether `ctx` (default: the active context) is inside the transport call of an HTTP
 * attempt whose CLIENT span, `http.client.request.duration` point and `traceparent`
 * swarmgate makes (`telemetry.httpSpans`). An HTTP instrumentation's ignore hook can use it
 * so that the instrumentation records nothing for those requests, not even its duration
 * metric, which tracing suppression does not stop (docs/telemetry.md, "Propagation and
 * HTTP auto-instrumentation").
 *
 * @example
 * new UndiciInstrumentation({ ignoreRequestHook: () => isGovernedHttpAttempt() });
 * new HttpInstrumentation({ ignoreOutgoingRequestHook: () => isGovernedHttpAttempt() });
 */
export function isGovernedHttpAttempt(ctx: Context = context.active()): boolean {
  try {
    return ctx.getValue(GOVERNED_ATTEMPT) === true;
  } catch {
    return false;
  }
}
