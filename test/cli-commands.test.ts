import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli, tempDir } from "./cli-support.js";

beforeAll(ensureBuilt, 120_000);

describe("swarmgate --help and usage errors", () => {
  it("prints help for the root and every command, exit 0", async () => {
    for (const args of [
      ["--help"],
      ["demo", "--help"],
      ["loadtest", "--help"],
      ["simulate", "--help"],
      ["plan", "--help"],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/Usage: swarmgate/);
    }
  });

  it("answers a bad flag, a bad value or an unknown command with usage on stderr and exit 2", async () => {
    for (const args of [
      ["loadtest", "--bogus"],
      ["loadtest", "--scenario", "nope"],
      ["loadtest", "--concurrency", "-3"],
      ["loadtest", "--duration", "soon"],
      ["loadtest", "--budget", "0"],
      ["loadtest", "--budget", "5", "--ungoverned"],
      ["plan", "--agents", "10"],
      ["simulate", "--port", "x"],
      ["fly"],
      [],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/Usage: swarmgate/);
      expect(r.stdout).toBe("");
    }
  });

  it("refuses --target hf without HF_TOKEN (exit 2) and never prints a token", async () => {
    const r = await runCli(["loadtest", "--target", "hf"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HF_TOKEN/);
    const withToken = await runCli(["loadtest", "--target", "hf", "--url", "http://127.0.0.1:9"], {
      env: { HF_TOKEN: "hf_secretsecretsecret1234" },
    });
    expect(withToken.code).toBe(2);
    expect(withToken.stdout + withToken.stderr).not.toContain("hf_secretsecretsecret1234");
  });
});

describe("swarmgate loadtest", () => {
  it("--budget stops spending at the budget: each user's first refused call is its last", async () => {
    const cwd = tempDir();
    const args = ["loadtest", "--concurrency", "25", "--duration", "3m", "--budget", "0.002", "--json"];
    const r = await runCli([...args, "--no-report"], { cwd });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.creditsUsd).toBeGreaterThan(0);
    expect(s.creditsUsd).toBeLessThanOrEqual(0.002);
    expect(s.calls.failed).toBe(25);
    expect(s.requests.total).toBe(s.calls.completed);
  });

  it("--scenario baseline --json prints a summary with sane numbers and writes the report", async () => {
    const cwd = tempDir();
    const r = await runCli(["loadtest", "--scenario", "baseline", "--json"], { cwd });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ command: "loadtest", scenario: "baseline", governed: true, concurrency: 5 });
    expect(s.durationSeconds).toBe(300);
    expect(s.requests.total).toBeGreaterThan(100);
    expect(s.requests.ok).toBeGreaterThan(100);
    expect(s.calls.completed).toBe(s.requests.ok);
    expect(s.calls.failed).toBe(0);
    for (const key of ["total", "status429", "status503"]) {
      expect(s.errorRate[key]).toBeGreaterThanOrEqual(0);
      expect(s.errorRate[key]).toBeLessThanOrEqual(1);
    }
    expect(s.requests.perSecond).toBeGreaterThan(0);
    expect(s.latencyMs.p50).toBeGreaterThan(0);
    expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p95);
    expect(s.latencyMs.p95).toBeLessThanOrEqual(s.latencyMs.p99);
    expect(s.retryRate).toBeGreaterThanOrEqual(0);
    expect(s.throttleWait.totalSeconds).toBeGreaterThanOrEqual(0);
    expect(s.creditsUsd).toBeGreaterThan(0);
    expect(s.quota.overQuota).toBe(false);
    expect(s.quota.limit).toBe(1500);
    expect(s.report).toBe(join(cwd, "swarmgate-loadtest.html"));
    expect(existsSync(s.report)).toBe(true);
    expect(r.stderr).toMatch(/\[ *\d+%\]/); // the plain live view (no TTY)
  });

  it("governed meets fewer 429s than --ungoverned with the seed's backoff", async () => {
    // A quota of 300 binds however slowly a loaded machine runs the ungoverned swarm; with
    // the tier's 1,500 it may never reach the window when other tests compete for the CPU.
    const args = [
      "loadtest",
      "--concurrency",
      "25",
      "--duration",
      "5m",
      "--quota",
      "300",
      "--json",
      "--no-report",
    ];
    const [governed, ungoverned] = await Promise.all([runCli(args), runCli([...args, "--ungoverned"])]);
    expect(governed.code).toBe(0);
    expect(ungoverned.code).toBe(0);
    const g = JSON.parse(governed.stdout);
    const u = JSON.parse(ungoverned.stdout);
    expect(u.governed).toBe(false);
    expect(u.requests.status429).toBeGreaterThan(0);
    expect(g.requests.status429).toBeLessThan(u.requests.status429);
    expect(g.calls.failed).toBeLessThanOrEqual(u.calls.failed);
    expect(g.quota.overQuota).toBe(false);
    expect(u.report).toBeUndefined();
  });
});

describe("swarmgate plan", () => {
  it("answers in JSON", async () => {
    const r = await runCli(["plan", "--agents", "120", "--calls-per-minute", "4", "--tier", "pro", "--json"]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.demand.perWindow).toBe(2400);
    expect(p.verdict).toBe("does-not-fit");
    expect(p.smallestFittingTier).toBe("enterprise");
    expect(p.dedicatedEndpoint.recommended).toBe(true);
    expect(p.cost.usageUsd).toBeGreaterThan(0);
  });

  it("answers in text", async () => {
    const small = await runCli(["plan", "--agents", "5", "--calls-per-minute", "2"]);
    expect(small.code).toBe(0);
    expect(small.stdout).toMatch(/FITS/);
    expect(small.stdout).toMatch(/Concurrency: start at/);
    const big = await runCli(["plan", "--agents", "120", "--calls-per-minute", "4", "--tier", "pro"]);
    expect(big.stdout).toMatch(/DOES NOT FIT/);
    expect(big.stdout).toMatch(/dedicated Inference Endpoint/);
  });
});

describe("swarmgate simulate", () => {
  it("prints its URL, serves /__sim/stats and stops on SIGTERM", async () => {
    let stats: unknown;
    const r = await runCli(["simulate", "--port", "0", "--time-scale", "60"], {
      onStdout(text, child) {
        const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
        if (!url || stats !== undefined) return;
        stats = null;
        fetch(`${url}/__sim/stats`)
          .then((response) => response.json())
          .then(
            (body) => {
              stats = body;
              child.kill("SIGTERM");
            },
            () => child.kill("SIGKILL"),
          );
      },
    });
    expect(r.code).toBe(0);
    expect(stats).toMatchObject({ overQuota: false });
    expect(r.stdout).toMatch(/stopped/);
  });
});
