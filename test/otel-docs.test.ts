// docs/telemetry.md is the reference of every telemetry name: each name in semconv.ts, each
// Prometheus metric the dashboard queries, each dashboard panel and each Prometheus rule and
// alert of the example must appear in it (and each panel in the example's README).
import { readFileSync } from "node:fs";
import { ATTR, EVENT, METRIC, METRICS, SEMCONV_RENAMES } from "@swarmgate/core";
import { expect, it } from "vitest";
import { dashboardQueries } from "./otel-support.js";

const doc = readFileSync(new URL("../docs/telemetry.md", import.meta.url), "utf8");
const example = (path: string) =>
  readFileSync(new URL(`../examples/observability/${path}`, import.meta.url), "utf8");

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

it("lists every panel of the dashboard, here and in the example's README", () => {
  const dashboard = JSON.parse(example("grafana/dashboards/swarmgate.json")) as {
    panels: { type: string; title: string }[];
  };
  const titles = dashboard.panels.filter((p) => p.type !== "row").map((p) => p.title);
  expect(titles.length).toBeGreaterThanOrEqual(18);
  // Table cells escape `|`; the README names panels in bold.
  expect(titles.filter((t) => !doc.includes(`| ${t.replaceAll("|", "\\|")} `))).toEqual([]);
  const readme = example("README.md");
  expect(titles.filter((t) => !readme.includes(`**${t}**`))).toEqual([]);
});

it("names every recording rule and alert of the example", () => {
  const rules = [example("prometheus/rules.yml"), example("prometheus/alerts.yml")].flatMap((text) =>
    [...text.matchAll(/^\s*- (?:record|alert): (\S+)/gm)].map((m) => m[1] ?? ""),
  );
  expect(rules.length).toBeGreaterThanOrEqual(16);
  expect(rules.filter((name) => !doc.includes(`| \`${name}\``))).toEqual([]);
});
