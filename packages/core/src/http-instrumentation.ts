import type { HttpSpans } from "./telemetry-options.js";

// The channel undici (Node's `fetch`, and the `undici` package) publishes every new request
// on. `@opentelemetry/instrumentation-undici` subscribes to it to make its CLIENT span,
// record `http.client.request.duration` and inject `traceparent`; so do other APMs' undici
// integrations. It unsubscribes when disabled, so `hasSubscribers` follows it at run time.
const UNDICI_REQUEST_CREATE = "undici:request:create";

interface Channel {
  readonly hasSubscribers: boolean;
}

// Looked up once: holding the channel keeps Node from collecting it, so later subscribers
// land on this same object and reading `hasSubscribers` stays a property read per attempt.
let undiciChannel: Channel | null | undefined;

function lookUpChannel(): Channel | null {
  try {
    const dc = globalThis.process?.getBuiltinModule?.("node:diagnostics_channel") as
      | { channel(name: string): Channel }
      | undefined;
    return dc?.channel(UNDICI_REQUEST_CREATE) ?? null;
  } catch {
    return null;
  }
}

/** @internal Whether something subscribes to undici's request channel (an undici instrumentation). */
export function undiciInstrumented(): boolean {
  if (undiciChannel === undefined) undiciChannel = lookUpChannel();
  return undiciChannel?.hasSubscribers === true;
}

/** @internal Whether an HTTP instrumentation makes this attempt's span, under `httpSpans`. */
export function instrumentationMakesHttpSpans(mode: HttpSpans): boolean {
  return mode === "instrumentation" || (mode === "auto" && undiciInstrumented());
}
