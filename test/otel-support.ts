// Shared by the test/otel-*.test.ts files (and the fault suite's secret scan): an in-memory
// metric reader, a span tree printer and a copy of everything written to stdout/stderr.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { metrics, type tracing } from "@opentelemetry/sdk-node";
import { vi } from "vitest";

/** A port that was free a moment ago, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A pull reader for tests: `collect()` when the test wants the values. */
export class TestMetricReader extends metrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Point = { attributes: Record<string, unknown>; value: unknown };

export function points(
  rm: metrics.ResourceMetrics,
  name: string,
  attrs: Record<string, unknown> = {},
): Point[] {
  const out: Point[] = [];
  for (const scope of rm.scopeMetrics)
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints)
        if (Object.entries(attrs).every(([k, v]) => point.attributes[k] === v)) out.push(point as Point);
    }
  return out;
}

/** Counters and gauges: the sum of the values; histograms: the count. */
export function countOf(
  rm: metrics.ResourceMetrics,
  name: string,
  attrs: Record<string, unknown> = {},
): number {
  let total = 0;
  for (const p of points(rm, name, attrs)) {
    const v = p.value as number | { count: number };
    total += typeof v === "number" ? v : v.count;
  }
  return total;
}

/** Histograms: the sum of the recorded values. */
export function sumOf(
  rm: metrics.ResourceMetrics,
  name: string,
  attrs: Record<string, unknown> = {},
): number {
  return points(rm, name, attrs).reduce((n, p) => n + (p.value as { sum: number }).sum, 0);
}

const KIND = ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];

/** The spans as an indented tree of `name [KIND]` lines, children in start order. */
export function spanTree(spans: readonly tracing.ReadableSpan[]): string[] {
  const byParent = new Map<string | undefined, tracing.ReadableSpan[]>();
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent && ids.has(parent) ? parent : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const children = [...(byParent.get(parent) ?? [])].sort(
      (a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1],
    );
    for (const span of children) {
      lines.push(`${"  ".repeat(depth)}${span.name} [${KIND[span.kind]}]`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

export const eventsOf = (span: tracing.ReadableSpan | undefined): Record<string, unknown>[] =>
  span?.events.map((e) => ({ name: e.name, ...e.attributes })) ?? [];

const DASHBOARD = new URL("../examples/observability/grafana/dashboards/swarmgate.json", import.meta.url);

export interface Target {
  readonly panel: string;
  readonly expr: string;
}

/** Every panel's every query, with Grafana's variables replaced as Grafana would. */
export function dashboardQueries(): Target[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      panel: panel.title,
      expr: t.expr.replaceAll("$__rate_interval", "20s").replaceAll("$governor", ".*"),
    })),
  );
}

/**
 * Copies everything written to stdout and stderr (still written through) into the returned
 * array, until `vi.restoreAllMocks()`.
 */
export function captureOutput(): string[] {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  return written;
}
