import { numberFlag } from "./args.js";

/** The telemetry flags of `demo` (and their parseArgs definitions). */
export const TELEMETRY_OPTIONS = {
  otlp: { type: "boolean" },
  "otlp-endpoint": { type: "string" },
  prometheus: { type: "boolean" },
  "prometheus-port": { type: "string" },
} as const;

export const TELEMETRY_USAGE = `  --otlp                export traces over OTLP/HTTP (Jaeger: http://localhost:4318, or OTEL_EXPORTER_OTLP_ENDPOINT)
  --otlp-endpoint <url> the OTLP/HTTP base URL (implies --otlp)
  --prometheus          serve metrics for Prometheus/Grafana (port 9464) and keep serving after the run until Ctrl-C
  --prometheus-port <n> the scrape port (implies --prometheus)`;

/** Telemetry started from flags; `undefined` when no flag asks for it. */
export async function startTelemetryFromFlags(
  values: { otlp?: boolean; "otlp-endpoint"?: string; prometheus?: boolean; "prometheus-port"?: string },
  serviceName: string,
  usage: string,
) {
  const port = numberFlag("prometheus-port", values["prometheus-port"], usage, { integer: true });
  const otlp = values.otlp === true || values["otlp-endpoint"] !== undefined;
  const prometheus = values.prometheus === true || port !== undefined;
  if (!otlp && !prometheus) return undefined;
  // Loaded only when asked for: the OTel SDK is the heaviest import of the CLI.
  const { startTelemetry } = await import("@swarmgate/otel");
  return startTelemetry({
    serviceName,
    otlpEndpoint: otlp ? (values["otlp-endpoint"] ?? undefined) : false,
    prometheusPort: prometheus ? (port ?? 9464) : false,
  } as Parameters<typeof startTelemetry>[0]);
}
