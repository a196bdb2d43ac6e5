import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";

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
 * included, and reports the port it got.
 */
export function prometheusEndpoint(port: number, host: string | undefined): PrometheusEndpoint {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  let server: Server | undefined;
  let closed: Promise<void> | undefined;
  return {
    exporter,
    async listen() {
      const s = createServer((request, response) => {
        const path = (request.url ?? "").split("?")[0];
        if (path === PATH) exporter.getMetricsRequestHandler(request, response);
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
