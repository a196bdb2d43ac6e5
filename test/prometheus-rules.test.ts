// The example's Prometheus recording and alert rules (examples/observability/prometheus/):
// `promtool check rules` accepts them, `promtool check config` accepts the example's
// prometheus.yml that loads them, and `promtool test rules` passes their unit tests, which
// cover every recording rule and every alert firing and not firing.
//
// promtool comes with Debian's prometheus package (`apt-get install -y prometheus`, done by
// .ci/run). Without it the tests fail in CI and are skipped elsewhere.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PROMTOOL = process.env.PROMTOOL_BIN ?? "/usr/bin/promtool";
const EXAMPLE = fileURLToPath(new URL("../examples/observability/", import.meta.url));
const DIR = join(EXAMPLE, "prometheus");
const read = (name: string) => readFileSync(join(DIR, name), "utf8");

function promtool(args: string[], cwd = DIR): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout ?? ""}${run.stderr ?? ""}` };
}

/** `- record: name` / `- alert: name` entries of a rule file. */
const names = (text: string, kind: "record" | "alert") =>
  [...text.matchAll(new RegExp(`^\\s*- ${kind}: (\\S+)`, "gm"))].map((m) => m[1] ?? "");

const installed = existsSync(PROMTOOL);
const describeIt = installed || process.env.CI ? describe : describe.skip;

describeIt("the example's Prometheus rules", () => {
  it("promtool is installed", () => {
    expect(
      installed,
      `promtool is not installed at ${PROMTOOL}: .ci/run must \`apt-get install -y prometheus\` (or set PROMTOOL_BIN)`,
    ).toBe(true);
  });

  it("pass `promtool check rules`", () => {
    const { status, output } = promtool(["check", "rules", "rules.yml", "alerts.yml"]);
    expect(output).toContain(`SUCCESS: ${names(read("rules.yml"), "record").length} rules found`);
    expect(output).toContain(`SUCCESS: ${names(read("alerts.yml"), "alert").length} rules found`);
    expect(status, output).toBe(0);
  });

  it("are loaded by the example's prometheus.yml, which passes `promtool check config`", () => {
    const { status, output } = promtool(["check", "config", "prometheus.yml"], EXAMPLE);
    expect(output).toContain("SUCCESS: 2 rule files found");
    expect(status, output).toBe(0);
  });

  it("pass their unit tests (`promtool test rules`)", () => {
    const { status, output } = promtool(["test", "rules", "rules.test.yml", "alerts.test.yml"]);
    expect(status, output).toBe(0);
    expect(output.match(/SUCCESS/g)).toHaveLength(2);
  });

  it("unit-test every recording rule", () => {
    const tests = read("rules.test.yml");
    const recorded = names(read("rules.yml"), "record");
    expect(recorded.length).toBeGreaterThanOrEqual(10);
    const tested = (name: string) => new RegExp(`- expr: (round\\()?${name}\\b`).test(tests);
    expect(recorded.filter((name) => !tested(name))).toEqual([]);
  });

  it("unit-test every alert both firing and not firing", () => {
    const alerts = names(read("alerts.yml"), "alert");
    expect(alerts).toEqual(
      expect.arrayContaining([
        "SwarmgateUpstream429High",
        "SwarmgateBreakerOpen",
        "SwarmgateCreditsRunOutBeforeMonthEnd",
        "SwarmgateQueueGrowing",
      ]),
    );
    // One block per `- alertname:` case, up to the next case or test.
    const cases = read("alerts.test.yml")
      .split(/^\s*- alertname: /m)
      .slice(1)
      .map((block) => ({
        alert: block.split(/\s/)[0] ?? "",
        silent: /exp_alerts: \[\]/.test(block.split(/^ {2}- /m)[0] ?? ""),
      }));
    const missing = alerts.flatMap((alert) => {
      const mine = cases.filter((c) => c.alert === alert);
      return [
        ...(mine.some((c) => !c.silent) ? [] : [`${alert} never fires`]),
        ...(mine.some((c) => c.silent) ? [] : [`${alert} never stays silent`]),
      ];
    });
    expect(missing).toEqual([]);
  });

  it("fail `promtool test rules` when an expectation is wrong", () => {
    // The unit tests can fail: the same tests with the 429 alert expected on the wrong governor.
    const dir = mkdtempSync(join(tmpdir(), "swarmgate-rules-"));
    try {
      for (const file of ["rules.yml", "alerts.yml"]) copyFileSync(join(DIR, file), join(dir, file));
      const tests = read("alerts.test.yml");
      const wrong = tests.replace(
        /(alertname: SwarmgateUpstream429High\n\s+eval_time: 20m\n\s+exp_alerts:\n\s+- exp_labels:\n\s+severity: warning\n\s+swarmgate_governor: )a/,
        "$1b",
      );
      expect(wrong).not.toBe(tests);
      writeFileSync(join(dir, "alerts.test.yml"), wrong);
      const { status, output } = promtool(["test", "rules", "alerts.test.yml"], dir);
      expect(status).not.toBe(0);
      expect(output).toContain("SwarmgateUpstream429High");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
