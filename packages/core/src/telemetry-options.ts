import { type SemconvMode, semconvModeFromEnv } from "./semconv.js";
import { expectKnownKeys, expectObject, expectOneOf, expectString, fail } from "./validate.js";

/** The `telemetry` option of `createGovernor`. */
export interface TelemetryOptions {
  /**
   * Which generation of GenAI names to emit (docs/telemetry.md, "Renamed conventions").
   * @default "latest" when `OTEL_SEMCONV_STABILITY_OPT_IN` names `gen_ai_latest_experimental`, else "default"
   */
  readonly semconv?: SemconvMode;
  /**
   * Record prompt and completion text (`gen_ai.input.messages`, `gen_ai.output.messages`)
   * on spans. Off unless you opt in: prompts are often private.
   * @default `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === "true"`
   */
  readonly captureContent?: boolean;
  /** `gen_ai.provider.name`. @default "huggingface" */
  readonly providerName?: string;
  /**
   * Who makes the CLIENT span and the `http.client.request.duration` of each HTTP attempt
   * (docs/telemetry.md, "Propagation and HTTP auto-instrumentation"): `"swarmgate"` always
   * makes them and injects `traceparent`; `"instrumentation"` leaves both, and the
   * injection, to an HTTP auto-instrumentation (`@opentelemetry/instrumentation-undici`,
   * `-http`); `"auto"` chooses per attempt: the instrumentation when something subscribes
   * to undici's `undici:request:create` diagnostics channel (what
   * `@opentelemetry/instrumentation-undici` does, for Node's `fetch`), else swarmgate.
   * @default "auto"
   */
  readonly httpSpans?: HttpSpans;
}

/** Who records the HTTP attempt spans: see {@link TelemetryOptions.httpSpans}. */
export type HttpSpans = "auto" | "swarmgate" | "instrumentation";

/** @internal */
export interface ResolvedTelemetryOptions {
  readonly semconv: SemconvMode;
  readonly captureContent: boolean;
  readonly providerName: string;
  readonly httpSpans: HttpSpans;
}

function env(name: string): string | undefined {
  return typeof process === "undefined" ? undefined : process.env[name];
}

const TELEMETRY_OPTION_KEYS: ReadonlySet<string> = new Set<keyof TelemetryOptions>([
  "semconv",
  "captureContent",
  "providerName",
  "httpSpans",
]);

/** @internal Spreads the defaults (environment included) and validates once. */
export function resolveTelemetryOptions(input: TelemetryOptions | undefined): ResolvedTelemetryOptions {
  const o = expectObject("telemetry", input) as TelemetryOptions;
  expectKnownKeys("`telemetry`", o, TELEMETRY_OPTION_KEYS);
  const semconv =
    o.semconv === undefined
      ? semconvModeFromEnv(env("OTEL_SEMCONV_STABILITY_OPT_IN"))
      : expectOneOf("telemetry.semconv", o.semconv, ["default", "latest"] as const);
  let captureContent = env("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")?.toLowerCase() === "true";
  if (o.captureContent !== undefined) {
    if (typeof o.captureContent !== "boolean")
      fail("telemetry.captureContent", "a boolean", o.captureContent);
    captureContent = o.captureContent;
  }
  const providerName =
    o.providerName === undefined ? "huggingface" : expectString("telemetry.providerName", o.providerName);
  const httpSpans =
    o.httpSpans === undefined
      ? "auto"
      : expectOneOf("telemetry.httpSpans", o.httpSpans, ["auto", "swarmgate", "instrumentation"] as const);
  return { semconv, captureContent, providerName, httpSpans };
}
