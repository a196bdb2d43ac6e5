// A real Prometheus scrapes startTelemetry's exporter while a swarm runs through a governor
// against the simulator; every query of every panel of the Grafana dashboard must return
// data through Prometheus's HTTP API. A panel that shows nothing is a bug. The same
// Prometheus loads the example's recording and alert rules: every rule must load and
// evaluate without error, and every recording rule must return data.
//
// Prometheus comes from Debian's package (`apt-get install -y prometheus`, done by
// .ci/run). Without it the test fails in CI and is skipped elsewhere.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGovernor } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { startTelemetry } from "@swarmgate/otel";
import { expect, it } from "vitest";
import { runSwarm, SIMULATOR_OPTIONS, swarmGovernorOptions } from "../examples/observability/swarm.mjs";
import { dashboardQueries, freePort } from "./otel-support.js";

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
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

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

const installed = existsSync(PROMETHEUS);
const runIt = installed || process.env.CI ? it : it.skip;

runIt(
  "every panel of swarmgate.json and every recording rule shows data in a real Prometheus",
  async () => {
    if (!installed)
      throw new Error(
        `Prometheus is not installed at ${PROMETHEUS}: .ci/run must \`apt-get install -y prometheus\` (or set PROMETHEUS_BIN)`,
      );
    const targets = dashboardQueries();
    const distinct = new Set(targets.map((t) => t.expr)).size; // two panels may share a query
    expect(targets.length).toBeGreaterThanOrEqual(30);

    const sim = await startSimulator(SIMULATOR_OPTIONS);
    const exporterPort = await freePort();
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

    const dir = mkdtempSync(join(tmpdir(), "swarmgate-prometheus-"));
    const promPort = await freePort();
    const base = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files:",
        ...RULE_FILES.map((file) => `  - ${JSON.stringify(file)}`),
        "scrape_configs:",
        "  - job_name: swarmgate",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${exporterPort}"]`,
        "",
      ].join("\n"),
    );
    let log = "";
    const prometheus: ChildProcess = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stdout?.on("data", (c: Buffer) => {
      log += c;
    });
    prometheus.stderr?.on("data", (c: Buffer) => {
      log += c;
    });
    const exited = new Promise<void>((resolve) => prometheus.once("exit", () => resolve()));

    const seen = new Set<string>();
    const recorded = new Set<string>();
    let groups: RuleGroup[] = [];
    const began = Date.now();
    try {
      const ready = await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 20_000);
      expect(ready, `Prometheus did not become ready:\n${log}`).toBe(true);
      const scraped = await waitFor(async () => {
        const up = await query(base, 'up{job="swarmgate"} == 1');
        return up.length > 0;
      }, 20_000);
      expect(scraped, `Prometheus never scraped the exporter:\n${log}`).toBe(true);
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
      prometheus.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (prometheus.exitCode === null) prometheus.kill("SIGKILL");
      await governor.close();
      await telemetry.shutdown();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
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
