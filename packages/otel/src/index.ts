export type { ExemplarFilter } from "./exemplar-meter-provider.js";
export { RedactingSpanExporter } from "./redacting-span-exporter.js";
export type { Instrumentation, StartTelemetryOptions, Telemetry } from "./start-telemetry.js";
export { startTelemetry } from "./start-telemetry.js";
export { histogramViews } from "./views.js";
