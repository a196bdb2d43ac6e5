// The shipped Grafana dashboard imports anywhere and provisions in the example's
// docker-compose: every panel and query goes through the `datasource` variable, `__inputs`
// lets Grafana's import ask for the Prometheus data source, and the provisioned data source
// is the one the variable picks. (test/otel-prometheus.test.ts checks that every query
// returns data.)
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const read = (path: string) =>
  readFileSync(new URL(`../examples/observability/${path}`, import.meta.url), "utf8");
const text = read("grafana/dashboards/swarmgate.json");

interface Ref {
  type?: string;
  uid?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: Ref;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; datasource?: Ref; expr: string }[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  datasource?: Ref;
  current?: { text?: unknown; value?: unknown };
}
const dashboard = JSON.parse(text) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  __requires: { type: string; id: string; version: string }[];
  schemaVersion: number;
  uid: string;
  templating: { list: Variable[] };
  panels: Panel[];
};
// Grafana's variable syntax, in plain strings (not template literals).
const DATASOURCE_VARIABLE = ["$", "{datasource}"].join("");
const DS_INPUT = ["$", "{DS_PROMETHEUS}"].join("");
const VIA_VARIABLE = { type: "prometheus", uid: DATASOURCE_VARIABLE };
const panels = dashboard.panels.filter((p) => p.type !== "row");

it("has a current schemaVersion and what Grafana's import needs", () => {
  // 41; Grafana's next schema migration (42) only changes `custom.hideFrom` overrides, which
  // this dashboard must not have for that to stay true.
  expect(dashboard.schemaVersion).toBe(41);
  expect(text).not.toContain("custom.hideFrom");
  expect(dashboard.uid).toBe("swarmgate");
  expect(dashboard.__inputs).toEqual([
    expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }),
  ]);
  expect(text).toContain(DS_INPUT); // an input nothing references would do nothing
  const required = dashboard.__requires.map((r) => `${r.type}:${r.id}`);
  expect(required).toEqual(expect.arrayContaining(["grafana:grafana", "datasource:prometheus"]));
  for (const type of new Set(panels.map((p) => p.type))) expect(required).toContain(`panel:${type}`);
});

it("sends every panel and every query through the datasource variable", () => {
  const variable = dashboard.templating.list.find((v) => v.name === "datasource");
  expect(variable).toMatchObject({ type: "datasource", query: "prometheus" });
  const governor = dashboard.templating.list.find((v) => v.name === "governor");
  expect(governor?.datasource).toEqual(VIA_VARIABLE);
  expect(panels.length).toBeGreaterThanOrEqual(18);
  for (const panel of panels) {
    expect(panel.datasource, panel.title).toEqual(VIA_VARIABLE);
    expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(VIA_VARIABLE);
  }
  expect(text).not.toMatch(/"uid": "prometheus"/); // no hard-coded data source left
});

it("picks the provisioned data source in the example's docker-compose", () => {
  // Grafana keeps a datasource variable's current value if a data source has that uid, else
  // the one whose name is the current text, else the first: file provisioning does not
  // substitute the DS_PROMETHEUS input, so the text must be the provisioned data source's name.
  const provisioned = read("grafana/provisioning/datasources/prometheus.yml");
  const field = (key: string) => provisioned.match(new RegExp(`^\\s+-?\\s*${key}: (.+)$`, "m"))?.[1];
  const variable = dashboard.templating.list.find((v) => v.name === "datasource");
  expect(variable?.current).toEqual(expect.objectContaining({ text: field("name"), value: DS_INPUT }));
  expect(field("type")).toBe("prometheus");
  expect(field("isDefault")).toBe("true");
  expect(field("url")).toBe("http://prometheus:9090");
  expect(read("docker-compose.yml")).toContain("./grafana/provisioning:/etc/grafana/provisioning");
});

it("lays panels out without overlap, each with a unique id, a title and a description", () => {
  const ids = dashboard.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  const cells = new Map<string, string>();
  for (const panel of dashboard.panels) {
    const { x, y, w, h } = panel.gridPos;
    expect(x + w, panel.title).toBeLessThanOrEqual(24);
    for (let i = x; i < x + w; i++)
      for (let j = y; j < y + h; j++) {
        const taken = cells.get(`${i},${j}`);
        expect(taken, `${panel.title} overlaps ${taken}`).toBeUndefined();
        cells.set(`${i},${j}`, panel.title);
      }
  }
  for (const panel of panels) {
    expect(panel.description, panel.title).toBeTruthy();
    const refIds = (panel.targets ?? []).map((t) => t.refId);
    expect(new Set(refIds).size, panel.title).toBe(refIds.length);
  }
});

it("draws exemplars on the latency panels and links them to the provisioned Jaeger data source", () => {
  const latency = dashboard.panels
    .flatMap((p) => (p.targets ?? []) as { expr: string; exemplar?: boolean }[])
    .filter((t) =>
      /histogram_quantile\(.*(operation_duration|request_duration|time_to_first_chunk)/.test(t.expr),
    );
  expect(latency.length).toBeGreaterThanOrEqual(7);
  expect(latency.filter((t) => t.exemplar !== true).map((t) => t.expr)).toEqual([]);
  const provisioned = read("grafana/provisioning/datasources/prometheus.yml");
  // The label startTelemetry's exemplars carry the trace id in, pointing at a data source
  // provisioned in the same file.
  const destination = provisioned.match(
    /exemplarTraceIdDestinations:\n\s+- name: (\S+)\n\s+datasourceUid: (\S+)/,
  );
  expect(destination?.[1]).toBe("trace_id");
  const jaeger = provisioned.match(
    /- name: Jaeger\n\s+uid: (\S+)\n\s+type: (\S+)\n\s+access: proxy\n\s+url: (\S+)/,
  );
  expect(jaeger?.slice(1)).toEqual([destination?.[2], "jaeger", "http://jaeger:16686"]);
  expect(read("docker-compose.yml")).toMatch(/^ {2}jaeger:/m);
});
