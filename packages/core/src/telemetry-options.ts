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
}

/** @internal */
export interface ResolvedTelemetryOptions {
  readonly semconv: SemconvMode;
  readonly captureContent: boolean;
  readonly providerName: string;
}

function env(name: string): string | undefined {
  return typeof process === "undefined" ? undefined : process.env[name];
}

const TELEMETRY_OPTION_KEYS: ReadonlySet<string> = new Set<keyof TelemetryOptions>([
  "semconv",
  "captureContent",
  "providerName",
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
  return { semconv, captureContent, providerName };
}
