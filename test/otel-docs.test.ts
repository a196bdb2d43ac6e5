// docs/telemetry.md is the reference of every telemetry name: each name in semconv.ts, and
// each Prometheus metric the dashboard queries, must appear in it.
import { readFileSync } from "node:fs";
import { ATTR, EVENT, METRIC, METRICS, SEMCONV_RENAMES } from "@swarmgate/core";
import { expect, it } from "vitest";
import { dashboardQueries } from "./otel-support.js";

const doc = readFileSync(new URL("../docs/telemetry.md", import.meta.url), "utf8");

it("names every attribute, event and metric of semconv.ts", () => {
  const names = [
    ...Object.values(ATTR),
    ...Object.values(EVENT),
    ...Object.values(METRIC),
    ...SEMCONV_RENAMES.flatMap((r) => r.latest),
  ];
  expect(names.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  for (const metric of METRICS) {
    // The metrics table's row (a span attribute may share the name: swarmgate.throttle.wait).
    const row = doc
      .split("\n")
      .find((line) => line.startsWith(`| \`${metric.name}\``) && line.includes(`| \`${metric.unit}\``));
    expect(row, metric.name).toBeDefined();
    if (metric.buckets) expect(row).toContain(metric.buckets.slice(0, 3).join(", "));
  }
});

it("names every Prometheus metric the dashboard queries", () => {
  const used = new Set(
    dashboardQueries().flatMap((t) => t.expr.match(/\b(?:swarmgate|gen_ai|http)_[a-z_]+/g) ?? []),
  );
  expect(used.size).toBeGreaterThan(10);
  const base = (name: string) => name.replace(/_(bucket|sum|count)$/, "");
  expect([...used].filter((name) => !doc.includes(base(name)))).toEqual([]);
});
