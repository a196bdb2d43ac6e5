// A real Prometheus for the telemetry tests: Debian's package (`apt-get install -y
// prometheus`, done by .ci/run), or PROMETHEUS_BIN. Without it the tests that need it fail in
// CI and are skipped elsewhere.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { freePort } from "./otel-support.js";

export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
const installed = existsSync(PROMETHEUS);

/** `it` where Prometheus is installed or under CI (where its absence fails the test). */
export function prometheusIt(name: string, test: () => Promise<void>, timeoutMs: number): void {
  (installed || process.env.CI ? it : it.skip)(name, test, timeoutMs);
}

/** Throws unless Prometheus is installed, saying how to get it. */
export function expectPrometheus(): void {
  if (!installed)
    throw new Error(
      `Prometheus is not installed at ${PROMETHEUS}: .ci/run must \`apt-get install -y prometheus\` (or set PROMETHEUS_BIN)`,
    );
}

/** Polls `check` every 250 ms until it answers true (a throw counts as false) or `ms` pass. */
export async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** A Prometheus HTTP API answer's `data`; a refusal throws with Prometheus's error. */
export async function api<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  const body = (await response.json()) as { status: string; error?: string; data: T };
  if (body.status !== "success") throw new Error(`Prometheus rejected ${path}: ${body.error}`);
  return body.data;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** What it wrote on stdout and stderr so far (for failure messages). */
  log(): string;
  /** Stops it (SIGTERM, SIGKILL after 5 s) and removes its data. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Prometheus scraping `127.0.0.1:<exporterPort>` every second (job `swarmgate`),
 * evaluating `ruleFiles` every second, with extra `flags` (`--enable-feature=…`), and waits
 * until it is ready (throws with its log otherwise).
 */
export async function startPrometheus(o: {
  readonly exporterPort: number;
  readonly ruleFiles?: readonly string[];
  readonly flags?: readonly string[];
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "swarmgate-prometheus-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const rules = o.ruleFiles?.length
    ? ["rule_files:", ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)]
    : [];
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      ...rules,
      "scrape_configs:",
      "  - job_name: swarmgate",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${o.exporterPort}"]`,
      "",
    ].join("\n"),
  );
  let log = "";
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
      ...(o.flags ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (c: Buffer) => {
    log += c;
  });
  child.stderr?.on("data", (c: Buffer) => {
    log += c;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped: Promise<void> | undefined;
  const running: RunningPrometheus = {
    base,
    log: () => log,
    stop() {
      stopped ??= (async () => {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  const ready = await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 20_000);
  if (!ready) {
    await running.stop();
    throw new Error(`Prometheus did not become ready:\n${log}`);
  }
  return running;
}
