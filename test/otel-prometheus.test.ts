// A real Prometheus scrapes startTelemetry's exporter while a swarm runs through a governor
// against the simulator; every query of every panel of the Grafana dashboard must return
// data through Prometheus's HTTP API. A panel that shows nothing is a bug. The same
// Prometheus loads the example's recording and alert rules: every rule must load and
// evaluate without error, and every recording rule must return data.
//
// Prometheus: see prometheus-support.ts.
import { fileURLToPath } from "node:url";
import { createGovernor } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { startTelemetry } from "@swarmgate/otel";
import { expect } from "vitest";
import { runSwarm, SIMULATOR_OPTIONS, swarmGovernorOptions } from "../examples/observability/swarm.mjs";
import { dashboardQueries, freePort } from "./otel-support.js";
import { expectPrometheus, prometheusIt, startPrometheus, waitFor } from "./prometheus-support.js";

const DEADLINE_MS = 100_000;
const THROTTLED = 'swarmgate_throttles_total{swarmgate_throttle_source="server_429"} > 0';
const RULE_FILES = ["rules.yml", "alerts.yml"].map((name) =>
  fileURLToPath(new URL(`../examples/observability/prometheus/${name}`, import.meta.url)),
);

interface RuleGroup {
  name: string;
  rules: { name: string; type: "recording" | "alerting"; health: string; lastError?: string }[];
}

async function ruleGroups(base: string): Promise<RuleGroup[]> {
  const response = await fetch(`${base}/api/v1/rules`);
  const body = (await response.json()) as { data?: { groups?: RuleGroup[] } };
  return body.data?.groups ?? [];
}

async function query(base: string, expr: string): Promise<unknown[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result?: unknown[] } };
  if (body.status !== "success") throw new Error(`Prometheus rejected \`${expr}\`: ${body.error}`);
  return body.data?.result ?? [];
}

/** Data: at least one series with a finite value (a NaN quantile draws nothing). */
const hasData = (result: unknown[]) =>
  result.some((series) => Number.isFinite(Number((series as { value?: [number, string] }).value?.[1])));

prometheusIt(
  "every panel of swarmgate.json and every recording rule shows data in a real Prometheus",
  async () => {
    expectPrometheus();
    const targets = dashboardQueries();
    const distinct = new Set(targets.map((t) => t.expr)).size; // two panels may share a query
    expect(targets.length).toBeGreaterThanOrEqual(30);

    const exporterPort = await freePort();
    // Ready before anything else starts: the exporter's port is scraped once it listens.
    const prometheus = await startPrometheus({ exporterPort, ruleFiles: RULE_FILES });
    const { base } = prometheus;
    const log = prometheus.log;
    const sim = await startSimulator(SIMULATOR_OPTIONS);
    const telemetry = await startTelemetry({
      serviceName: "prometheus-test",
      otlpEndpoint: false,
      prometheusPort: exporterPort,
      prometheusHost: "127.0.0.1",
    });
    const governor = createGovernor(swarmGovernorOptions("prometheus-swarm"));
    const stop = new AbortController();
    const swarm = runSwarm({
      governor,
      baseUrl: sim.url,
      token: "hf_test_pro",
      agents: 12,
      signal: stop.signal,
    });

    const seen = new Set<string>();
    const recorded = new Set<string>();
    let groups: RuleGroup[] = [];
    const began = Date.now();
    try {
      const scraped = await waitFor(async () => {
        const up = await query(base, 'up{job="swarmgate"} == 1');
        return up.length > 0;
      }, 20_000);
      expect(scraped, `Prometheus never scraped the exporter:\n${log()}`).toBe(true);
      // Every panel has data, and the scenario happened: the provider's 429s were scraped too.
      await waitFor(async () => {
        for (const t of targets)
          if (!seen.has(t.expr) && hasData(await query(base, t.expr))) seen.add(t.expr);
        if (!seen.has(THROTTLED) && hasData(await query(base, THROTTLED))) seen.add(THROTTLED);
        groups = await ruleGroups(base);
        const recordings = groups.flatMap((g) => g.rules).filter((r) => r.type === "recording");
        for (const r of recordings)
          if (!recorded.has(r.name) && hasData(await query(base, r.name))) recorded.add(r.name);
        const healthy = groups.flatMap((g) => g.rules).every((r) => r.health === "ok");
        return (
          seen.size === distinct + 1 &&
          recordings.length > 0 &&
          recorded.size === recordings.length &&
          healthy
        );
      }, DEADLINE_MS - 40_000);
      console.info(
        `every panel and recording rule had data after ${((Date.now() - began) / 1000).toFixed(1)} s`,
      );
    } finally {
      stop.abort();
      await swarm;
      await prometheus.stop();
      await governor.close();
      await telemetry.shutdown();
      await sim.close();
    }
    const empty = targets.filter((t) => !seen.has(t.expr)).map((t) => `${t.panel}: ${t.expr}`);
    expect(empty, "panels whose queries returned no data").toEqual([]);
    expect(seen.has(THROTTLED), "no upstream 429 reached Prometheus").toBe(true);
    // Both files loaded (a file that fails to load leaves Prometheus without its groups).
    expect(groups.map((g) => g.name).sort()).toEqual([
      "swarmgate.alerts",
      "swarmgate.credits",
      "swarmgate.rules",
    ]);
    const rules = groups.flatMap((g) => g.rules);
    expect(
      rules.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`),
      "rules that did not evaluate",
    ).toEqual([]);
    const recordings = rules.filter((r) => r.type === "recording").map((r) => r.name);
    expect(recordings.length).toBeGreaterThanOrEqual(10);
    expect(
      recordings.filter((name) => !recorded.has(name)),
      "recording rules that returned no data",
    ).toEqual([]);
    expect(rules.filter((r) => r.type === "alerting").length).toBeGreaterThanOrEqual(6);
    const stats = governor.stats();
    expect(stats.retries.overloaded ?? 0).toBeGreaterThan(0);
    expect(stats.retries.rate_limited ?? 0).toBeGreaterThan(0);
    expect(stats.throttles.server_429).toBeGreaterThan(0);
  },
  DEADLINE_MS + 30_000,
);
