import { type SemconvMode, semconvModeFromEnv } from "./semconv.js";
import type { ModelBound } from "./telemetry-labels.js";
import { expectInteger, expectKnownKeys, expectObject, expectOneOf, expectString, fail } from "./validate.js";

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
   * makes them and injects `traceparent`, with tracing suppressed while the request is sent
   * so that an instrumentation underneath makes no second span (its duration metric stays
   * unless its ignore hook calls `isGovernedHttpAttempt()`); `"instrumentation"` leaves both, and the
   * injection, to an HTTP auto-instrumentation (`@opentelemetry/instrumentation-undici`,
   * `-http`); `"auto"` chooses per attempt: the instrumentation when something subscribes
   * to undici's `undici:request:create` diagnostics channel (what
   * `@opentelemetry/instrumentation-undici` does, for Node's `fetch`), else swarmgate.
   * @default "auto"
   */
  readonly httpSpans?: HttpSpans;
  /**
   * The models that may label metrics (`gen_ai.request.model`): any other reads `_OTHER`
   * there. Spans keep the true model. @default every model, up to `maxMetricModels`
   */
  readonly metricModels?: readonly string[];
  /**
   * How many distinct models label metrics: the first ones seen (among `metricModels`, when
   * given) keep their name, later ones read `_OTHER`. Bounds the series a swarm that names
   * models freely can create. @default 100
   */
  readonly maxMetricModels?: number;
}

/** Who records the HTTP attempt spans: see {@link TelemetryOptions.httpSpans}. */
export type HttpSpans = "auto" | "swarmgate" | "instrumentation";

/** @internal */
export interface ResolvedTelemetryOptions {
  readonly semconv: SemconvMode;
  readonly captureContent: boolean;
  readonly providerName: string;
  readonly httpSpans: HttpSpans;
  readonly models: ModelBound;
}

function env(name: string): string | undefined {
  return typeof process === "undefined" ? undefined : process.env[name];
}

const TELEMETRY_OPTION_KEYS: ReadonlySet<string> = new Set<keyof TelemetryOptions>([
  "semconv",
  "captureContent",
  "providerName",
  "httpSpans",
  "metricModels",
  "maxMetricModels",
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
  let allow: Set<string> | undefined;
  if (o.metricModels !== undefined) {
    if (!Array.isArray(o.metricModels) || o.metricModels.some((m) => typeof m !== "string"))
      fail("telemetry.metricModels", "an array of model ids (strings)", o.metricModels);
    allow = new Set(o.metricModels);
  }
  const max =
    o.maxMetricModels === undefined ? 100 : expectInteger("telemetry.maxMetricModels", o.maxMetricModels, 0);
  return { semconv, captureContent, providerName, httpSpans, models: { allow, max } };
}
