import {
  expectDuration,
  expectKnownKeys,
  expectObject,
  expectString,
  invalidOption as fail,
} from "@swarmgate/core";
import { EXEMPLAR_FILTERS } from "./exemplar-meter-provider.js";
import type { StartTelemetryOptions } from "./start-telemetry.js";

/** Every key of {@link StartTelemetryOptions}: any other is refused with the closest of these. */
export const START_TELEMETRY_OPTION_KEYS: ReadonlySet<string> = new Set<keyof StartTelemetryOptions>([
  "serviceName",
  "serviceVersion",
  "resourceAttributes",
  "otlpEndpoint",
  "otlpHeaders",
  "prometheusPort",
  "prometheusHost",
  "exemplarFilter",
  "otlpMetrics",
  "secrets",
  "spanProcessors",
  "metricReaders",
  "instrumentations",
]);

const OTLP_METRICS_KEYS: ReadonlySet<string> = new Set(["intervalMs"]);

function expectArray(name: string, value: unknown, each: (v: unknown) => boolean, what: string): void {
  if (value !== undefined && (!Array.isArray(value) || !value.every(each))) fail(name, what, value);
}

/** @internal Validates {@link startTelemetry}'s options once, before anything is set up. */
export function validateStartTelemetryOptions(input: unknown): StartTelemetryOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    fail("options", "an object", input);
  const o = input as StartTelemetryOptions;
  expectKnownKeys("`startTelemetry` options", o, START_TELEMETRY_OPTION_KEYS);
  for (const key of ["serviceName", "serviceVersion", "prometheusHost"] as const)
    if (o[key] !== undefined) expectString(key, o[key]);
  if (o.otlpEndpoint !== undefined && o.otlpEndpoint !== false) {
    const url = expectString("otlpEndpoint", o.otlpEndpoint);
    if (!/^https?:\/\//.test(url)) fail("otlpEndpoint", "an http:// or https:// URL, or false", url);
  }
  if (o.exemplarFilter !== undefined && !(EXEMPLAR_FILTERS as readonly unknown[]).includes(o.exemplarFilter))
    fail("exemplarFilter", '"always_on", "always_off" or "trace_based"', o.exemplarFilter);
  if (o.resourceAttributes !== undefined) expectObject("resourceAttributes", o.resourceAttributes);
  if (o.otlpHeaders !== undefined) {
    const headers = expectObject("otlpHeaders", o.otlpHeaders);
    for (const [name, value] of Object.entries(headers))
      if (typeof value !== "string") fail(`otlpHeaders.${name}`, "a string", value);
  }
  if (o.otlpMetrics !== undefined && typeof o.otlpMetrics !== "boolean") {
    const m = expectObject("otlpMetrics", o.otlpMetrics);
    expectKnownKeys("`otlpMetrics`", m, OTLP_METRICS_KEYS);
    if (m.intervalMs !== undefined) expectDuration("otlpMetrics.intervalMs", m.intervalMs, 1);
  }
  expectArray("secrets", o.secrets, (s) => typeof s === "string", "an array of strings");
  expectArray(
    "spanProcessors",
    o.spanProcessors,
    (p) => typeof (p as { onEnd?: unknown } | null)?.onEnd === "function",
    "an array of SpanProcessors",
  );
  expectArray(
    "metricReaders",
    o.metricReaders,
    (r) => typeof r === "object" && r !== null,
    "an array of MetricReaders",
  );
  const isInstrumentation = (i: unknown) =>
    typeof (i as { enable?: unknown } | null)?.enable === "function" &&
    typeof (i as { disable?: unknown }).disable === "function";
  expectArray(
    "instrumentations",
    o.instrumentations,
    (i) => isInstrumentation(i) || (Array.isArray(i) && i.every(isInstrumentation)),
    "an array of OpenTelemetry instrumentations",
  );
  return o;
}
