import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { diag } from "@opentelemetry/api";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import type { ExemplarStore } from "./exemplar-store.js";
import { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE, toOpenMetrics } from "./openmetrics.js";

/** @internal The scrape endpoint of {@link startTelemetry}: a Prometheus exporter and the server that serves it. */
export interface PrometheusEndpoint {
  readonly exporter: PrometheusExporter;
  /** Binds the port (0: one the system picks) and resolves with the scrape URL. */
  listen(): Promise<string>;
  /** Stops listening and closes the open (keep-alive) connections of scrapers. Idempotent. */
  close(): Promise<void>;
}

const PATH = PrometheusExporter.DEFAULT_OPTIONS.endpoint;

/**
 * @internal The exporter's own server treats port 0 as "unset" and binds 9464, and never says
 * which port it bound; this one serves the exporter's handler on the port asked for, 0
 * included, and reports the port it got. With an exemplar store, a scraper that asks for
 * OpenMetrics gets it, with exemplars; any other gets the exporter's answer as it is.
 */
export function prometheusEndpoint(
  port: number,
  host: string | undefined,
  exemplars?: ExemplarStore,
): PrometheusEndpoint {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  // The exporter's own serializer, with the exporter's defaults (no prefix, no timestamps).
  const serializer = new PrometheusSerializer();
  let server: Server | undefined;
  let closed: Promise<void> | undefined;
  return {
    exporter,
    async listen() {
      const s = createServer((request, response) => {
        const path = (request.url ?? "").split("?")[0];
        if (path === PATH && exemplars && acceptsOpenMetrics(request.headers.accept))
          void exporter.collect().then(
            ({ resourceMetrics, errors }) => {
              if (errors.length > 0) diag.error("PrometheusExporter: metrics collection errors", ...errors);
              const text = serializer.serialize(resourceMetrics);
              let body: string;
              try {
                body = toOpenMetrics(text, exemplars.snapshot());
                response.setHeader("content-type", OPENMETRICS_CONTENT_TYPE);
              } catch (error) {
                // The scraper accepts the text format too: better metrics without exemplars than none.
                diag.warn("swarmgate exemplars: OpenMetrics conversion failed", error);
                body = text;
                response.setHeader("content-type", "text/plain; version=0.0.4; charset=utf-8");
              }
              response.end(body);
            },
            (error: unknown) => {
              response.statusCode = 500;
              response.end(`# failed to export metrics: ${error}`);
            },
          );
        else if (path === PATH) exporter.getMetricsRequestHandler(request, response);
        else {
          response.statusCode = 404;
          response.end();
        }
      });
      // Like the exporter's own server: scraping never keeps the process alive.
      s.unref();
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen({ port, ...(host ? { host } : {}) }, () => {
          s.off("error", reject);
          resolve();
        });
      });
      const bound = (s.address() as AddressInfo).port;
      const name = host ?? "localhost";
      return `http://${name.includes(":") ? `[${name}]` : name}:${bound}${PATH}`;
    },
    close() {
      const s = server;
      closed ??= s?.listening
        ? new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          })
        : Promise.resolve();
      return closed;
    },
  };
}
