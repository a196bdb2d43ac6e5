import { type Attributes, context, metrics as metricsApi, propagation, trace } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import {
  metrics,
  NodeSDK,
  type NodeSDKConfiguration,
  resources,
  api as sdkApi,
  tracing,
} from "@opentelemetry/sdk-node";
import { redact, registerSecret, VERSION } from "@swarmgate/core";
import {
  EXEMPLAR_FILTERS,
  type ExemplarFilter,
  meterProviderWithExemplars,
} from "./exemplar-meter-provider.js";
import { ExemplarStore } from "./exemplar-store.js";
import { type PrometheusEndpoint, prometheusEndpoint } from "./prometheus-endpoint.js";
import { RedactingSpanExporter } from "./redacting-span-exporter.js";
import { validateStartTelemetryOptions } from "./start-telemetry-options.js";
import { histogramViews } from "./views.js";

/** Options of {@link startTelemetry}. Each falls back to its standard `OTEL_*` variable, then to the default. */
export interface StartTelemetryOptions {
  /** `service.name`. @default `OTEL_SERVICE_NAME`, else "swarmgate" */
  readonly serviceName?: string;
  /** `service.version`. */
  readonly serviceVersion?: string;
  /** More resource attributes; they win over `OTEL_RESOURCE_ATTRIBUTES` and the detected ones (host, process). */
  readonly resourceAttributes?: Attributes;
  /**
   * Base URL of an OTLP/HTTP receiver (Jaeger, an OTel Collector): traces go to
   * `${otlpEndpoint}/v1/traces`, as JSON. `false` exports no traces.
   * @default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else "http://localhost:4318" (Jaeger's OTLP port); none when `OTEL_TRACES_EXPORTER=none`
   */
  readonly otlpEndpoint?: string | false;
  /** Headers of OTLP requests (`OTEL_EXPORTER_OTLP_HEADERS` is read too). */
  readonly otlpHeaders?: Readonly<Record<string, string>>;
  /**
   * Port of the Prometheus scrape endpoint (`/metrics`); `false` for none; 0 for a free port
   * the system picks (`prometheusUrl` says which).
   * @default `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464; none when `OTEL_METRICS_EXPORTER` is set and does not name `prometheus`
   */
  readonly prometheusPort?: number | false;
  /**
   * Which histogram measurements become exemplars on the Prometheus endpoint (served to
   * scrapers that ask for OpenMetrics, as Prometheus does): `trace_based`, those recorded in a
   * sampled span, so each links to its trace; `always_on`, every one; `always_off`, none (the
   * endpoint then serves the exporter's text format only). Without the Prometheus endpoint there
   * are none: the SDK's OTLP exporter carries no exemplars.
   * @default `OTEL_METRICS_EXEMPLAR_FILTER`, else "trace_based"
   */
  readonly exemplarFilter?: ExemplarFilter;
  /** Interface the Prometheus endpoint listens on. @default `OTEL_EXPORTER_PROMETHEUS_HOST`, else all interfaces */
  readonly prometheusHost?: string;
  /**
   * Also push metrics over OTLP/HTTP (`${otlpEndpoint}/v1/metrics`), e.g. to a Collector.
   * @default true when `OTEL_METRICS_EXPORTER` names `otlp`, else false
   */
  readonly otlpMetrics?: boolean | { readonly intervalMs?: number };
  /** Secrets to redact from everything exported, besides `hf_…` tokens (`HF_TOKEN` is registered for you). */
  readonly secrets?: readonly string[];
  /** More span processors (e.g. an in-memory exporter in tests). */
  readonly spanProcessors?: readonly tracing.SpanProcessor[];
  /** More metric readers. */
  readonly metricReaders?: readonly metrics.IMetricReader[];
  /**
   * OpenTelemetry instrumentations to enable with the SDK (e.g. `UndiciInstrumentation` from
   * `@opentelemetry/instrumentation-undici` for `fetch`); `shutdown()` disables them.
   *
   * @example
   * import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
   * await startTelemetry({ instrumentations: [new UndiciInstrumentation()] });
   */
  readonly instrumentations?: readonly Instrumentation[];
}

/** An OpenTelemetry instrumentation, or a list of them, as the Node SDK takes it. */
export type Instrumentation = NodeSDKConfiguration["instrumentations"][number];

/** What {@link startTelemetry} returns. */
export interface Telemetry {
  /** False when `OTEL_SDK_DISABLED=true`: nothing was set up. */
  readonly enabled: boolean;
  /**
   * The scrape URL with the port actually bound, e.g. `http://localhost:9464/metrics`, when
   * the Prometheus endpoint runs.
   */
  readonly prometheusUrl: string | undefined;
  /** The OTLP traces URL, when traces are exported. */
  readonly tracesUrl: string | undefined;
  /** Exports every finished span and the current metrics now, without stopping. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops the exporters and the Prometheus endpoint. Idempotent. */
  shutdown(): Promise<void>;
}

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function list(name: string): string[] | undefined {
  return env(name)
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function fail(name: string, what: string, value: unknown): never {
  throw new TypeError(`Expected \`${name}\` to be ${what}, got \`${String(value)}\` (${typeof value})`);
}

function exemplarFilterOf(option: ExemplarFilter | undefined): ExemplarFilter {
  if (option !== undefined) return option;
  const fromEnv = env("OTEL_METRICS_EXEMPLAR_FILTER")?.toLowerCase();
  if (fromEnv === undefined) return "trace_based";
  if (!(EXEMPLAR_FILTERS as readonly string[]).includes(fromEnv))
    fail("OTEL_METRICS_EXEMPLAR_FILTER", "always_on, always_off or trace_based", fromEnv);
  return fromEnv as ExemplarFilter;
}

function tracesUrlOf(option: string | false | undefined): string | false {
  if (option === false) return false;
  if (option !== undefined) return `${option.replace(/\/+$/, "")}/v1/traces`;
  if (list("OTEL_TRACES_EXPORTER")?.includes("none")) return false;
  const traces = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  if (traces) return traces;
  return `${(env("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "http://localhost:4318").replace(/\/+$/, "")}/v1/traces`;
}

function metricsUrlOf(option: string | false | undefined): string {
  if (typeof option === "string") return `${option.replace(/\/+$/, "")}/v1/metrics`;
  const url = env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  if (url) return url;
  return `${(env("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "http://localhost:4318").replace(/\/+$/, "")}/v1/metrics`;
}

function prometheusPortOf(option: number | false | undefined): number | false {
  if (option === false) return false;
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 0 || option > 65_535)
      fail("prometheusPort", "a port number (0–65535) or false", option);
    return option;
  }
  const exporters = list("OTEL_METRICS_EXPORTER");
  if (exporters && !exporters.includes("prometheus")) return false;
  const fromEnv = env("OTEL_EXPORTER_PROMETHEUS_PORT");
  if (fromEnv === undefined) return PrometheusExporter.DEFAULT_OPTIONS.port;
  const parsed = /^\d+$/.test(fromEnv) ? Number(fromEnv) : Number.NaN;
  if (!(parsed <= 65_535)) fail("OTEL_EXPORTER_PROMETHEUS_PORT", "a port number (0–65535)", fromEnv);
  return parsed;
}

async function detectResource(attributes: Attributes): Promise<resources.Resource> {
  const detected = resources.detectResources({
    detectors: [resources.envDetector, resources.processDetector, resources.hostDetector],
  });
  await detected.waitForAsyncAttributes?.();
  const merged = resources
    .defaultResource()
    .merge(detected)
    .merge(resources.resourceFromAttributes(attributes));
  const clean: Attributes = {};
  for (const [key, value] of Object.entries(merged.attributes))
    clean[key] =
      typeof value === "string"
        ? redact(value)
        : Array.isArray(value)
          ? (value.map((v) => (typeof v === "string" ? redact(v) : v)) as typeof value)
          : value;
  return resources.resourceFromAttributes(clean);
}

/**
 * Sets up the OpenTelemetry Node SDK for a swarm: traces over OTLP/HTTP (to Jaeger's port
 * 4318 by default), metrics on a Prometheus endpoint, the resource attributes (redacted), and the
 * histogram views with swarmgate's buckets. Registers the global tracer and meter
 * providers, which every governor uses unless given its own. Honours the standard `OTEL_*`
 * variables (`OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_EXPORTER_OTLP_*`, `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`,
 * `OTEL_EXPORTER_PROMETHEUS_*`, `OTEL_METRICS_EXEMPLAR_FILTER`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, …);
 * options win. Histograms carry exemplars (trace and span ids) on the Prometheus endpoint
 * for scrapers that ask for OpenMetrics.
 * Resolves once the Prometheus endpoint listens.
 *
 * @example
 * const telemetry = await startTelemetry({ serviceName: "research-swarm" });
 * process.on("SIGTERM", () => void telemetry.shutdown());
 */
export async function startTelemetry(options: StartTelemetryOptions = {}): Promise<Telemetry> {
  validateStartTelemetryOptions(options);
  registerSecret(process.env.HF_TOKEN);
  registerSecret(process.env.HUGGING_FACE_HUB_TOKEN);
  for (const secret of options.secrets ?? []) registerSecret(secret);

  if (env("OTEL_SDK_DISABLED")?.toLowerCase() === "true") {
    return {
      enabled: false,
      prometheusUrl: undefined,
      tracesUrl: undefined,
      forceFlush: async () => {},
      shutdown: async () => {},
    };
  }

  const tracesUrl = tracesUrlOf(options.otlpEndpoint);
  const port = prometheusPortOf(options.prometheusPort);
  const exemplarFilter = exemplarFilterOf(options.exemplarFilter);
  const exemplars = port !== false && exemplarFilter !== "always_off" ? new ExemplarStore() : undefined;
  const otlpMetrics = options.otlpMetrics ?? list("OTEL_METRICS_EXPORTER")?.includes("otlp") ?? false;

  const spanProcessors: tracing.SpanProcessor[] = [];
  if (tracesUrl) {
    const exporter = new OTLPTraceExporter({
      url: tracesUrl,
      ...(options.otlpHeaders ? { headers: { ...options.otlpHeaders } } : {}),
    });
    spanProcessors.push(new tracing.BatchSpanProcessor(new RedactingSpanExporter(exporter)));
  }
  spanProcessors.push(...(options.spanProcessors ?? []));

  const readers: metrics.IMetricReader[] = [];
  let prometheus: PrometheusEndpoint | undefined;
  if (port !== false) {
    prometheus = prometheusEndpoint(
      port,
      options.prometheusHost ?? env("OTEL_EXPORTER_PROMETHEUS_HOST"),
      exemplars,
    );
    readers.push(prometheus.exporter);
  }
  if (otlpMetrics) {
    const intervalMs = typeof otlpMetrics === "object" ? otlpMetrics.intervalMs : undefined;
    readers.push(
      new metrics.PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({
          url: metricsUrlOf(options.otlpEndpoint),
          ...(options.otlpHeaders ? { headers: { ...options.otlpHeaders } } : {}),
        }),
        ...(intervalMs ? { exportIntervalMillis: intervalMs } : {}),
      }),
    );
  }
  readers.push(...(options.metricReaders ?? []));

  const attributes: Attributes = {
    "telemetry.distro.name": "@swarmgate/otel",
    "telemetry.distro.version": VERSION,
  };
  if (options.serviceVersion) attributes["service.version"] = options.serviceVersion;
  Object.assign(attributes, options.resourceAttributes);
  attributes["service.name"] = options.serviceName ?? env("OTEL_SERVICE_NAME") ?? "swarmgate";

  const views = histogramViews();
  const sdk = new NodeSDK({
    // Detected here rather than by the SDK, to redact them: the process detector records
    // the command line, and OTEL_RESOURCE_ATTRIBUTES is free text; either may hold a token.
    autoDetectResources: false,
    resource: await detectResource(attributes),
    spanProcessors,
    metricReaders: readers,
    views,
    // swarmgate writes no OTel logs; without this the SDK would build an OTLP log exporter.
    logRecordProcessors: [],
    instrumentations: [...(options.instrumentations ?? [])],
  });
  sdk.start();

  const instrumentations = (options.instrumentations ?? []).flat();
  if (exemplars && exemplarFilter !== "always_off") {
    // The SDK registered its meter provider; the global one becomes the same provider whose
    // histograms also keep exemplars (the SDK's own reservoirs reach no exporter yet).
    const boundaries = new Map<string, readonly number[]>();
    for (const view of views) {
      const b = (view.aggregation as { options?: { boundaries?: number[] } } | undefined)?.options
        ?.boundaries;
      if (view.instrumentName && b) boundaries.set(view.instrumentName, b);
    }
    const provider = meterProviderWithExemplars(
      metricsApi.getMeterProvider(),
      exemplars,
      exemplarFilter,
      (n) => boundaries.get(n),
    );
    metricsApi.disable();
    metricsApi.setGlobalMeterProvider(provider);
    for (const instrumentation of instrumentations) instrumentation.setMeterProvider(provider);
  }
  const disableInstrumentations = () => {
    for (const instrumentation of instrumentations)
      try {
        instrumentation.disable();
      } catch {}
  };

  let prometheusUrl: string | undefined;
  if (prometheus) {
    try {
      prometheusUrl = await prometheus.listen();
    } catch (error) {
      disableInstrumentations();
      await sdk.shutdown().catch(() => {});
      throw error;
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    prometheusUrl,
    tracesUrl: tracesUrl || undefined,
    async forceFlush() {
      await Promise.all(spanProcessors.map((p) => p.forceFlush()));
      await Promise.all(readers.map((r) => r.forceFlush()));
    },
    shutdown() {
      stopped ??= (async () => {
        await Promise.all(spanProcessors.map((p) => p.forceFlush().catch(() => {})));
        await sdk.shutdown();
        await prometheus?.close();
        // The SDK enables instrumentations on start but never disables them.
        disableInstrumentations();
        // Unregister the globals, so that a later startTelemetry (a restart, the next test)
        // takes effect. Twice: this module loads the API's ES build, the SDK and the
        // instrumentations its CommonJS build, and each copy keeps its own proxy providers,
        // which would otherwise still hand instrumentations the stopped SDK's tracers.
        for (const copy of [{ trace, metrics: metricsApi, propagation, context }, sdkApi]) {
          copy.trace.disable();
          copy.metrics.disable();
          copy.propagation.disable();
          copy.context.disable();
        }
      })();
      return stopped;
    },
  };
}
