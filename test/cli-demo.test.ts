import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli, tempDir } from "./cli-support.js";

beforeAll(ensureBuilt, 120_000);

describe("swarmgate demo", () => {
  it("runs the LangChain swarm, finishes every task and writes swarmgate-report.html", async () => {
    const cwd = tempDir();
    const r = await runCli(["demo", "--agents", "10", "--duration", "2m", "--json"], { cwd });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.command).toBe("demo");
    expect(s.tasks.completed).toBeGreaterThan(0);
    expect(s.tasks.failed).toBe(0);
    expect(s.calls.failed).toBe(0);
    expect(s.quota.overQuota).toBe(false);
    expect(s.report).toBe(join(cwd, "swarmgate-report.html"));
    const html = readFileSync(join(cwd, "swarmgate-report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // self-contained: no external URL
  });

  it("prints the summary table without --json", async () => {
    const cwd = tempDir();
    const r = await runCli(["demo", "--agents", "5", "--duration", "1m"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agent tasks\s+\d+ completed, 0 failed/);
    expect(r.stdout).toMatch(/none over quota/);
    expect(existsSync(join(cwd, "swarmgate-report.html"))).toBe(true);
  });
});

describe("Ctrl-C", () => {
  it("stops a load test, prints the partial summary, writes the report and exits 130", async () => {
    const cwd = tempDir();
    let sent = false;
    const r = await runCli(["loadtest", "--scenario", "sustained", "--json"], {
      cwd,
      onStderr(text, child) {
        if (!sent && /\[ *\d+%\]/.test(text)) {
          sent = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    const s = JSON.parse(r.stdout);
    expect(s.interrupted).toBe(true);
    expect(s.elapsedSeconds).toBeLessThan(s.durationSeconds);
    expect(existsSync(join(cwd, "swarmgate-loadtest.html"))).toBe(true);
    expect(readFileSync(join(cwd, "swarmgate-loadtest.html"), "utf8")).toContain("partial results");
  });

  it("stops the demo the same way", async () => {
    const cwd = tempDir();
    let sent = false;
    const r = await runCli(["demo", "--agents", "10", "--duration", "1h"], {
      cwd,
      onStderr(text, child) {
        if (!sent && /\[ *\d+%\]/.test(text)) {
          sent = true;
          setTimeout(() => child.kill("SIGINT"), 300);
        }
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/INTERRUPTED/);
    expect(existsSync(join(cwd, "swarmgate-report.html"))).toBe(true);
  });
});
