import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { root, runCli, tempDir } from "../../../test/cli-support.js";

// The CLI runs as a process, as users run it; `tsc -b` is incremental, so an up-to-date dist costs little.
beforeAll(() => {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], {
    cwd: root,
    stdio: "inherit",
  });
}, 120_000);

// One scenario minute: one wall second at the embedded simulator's ×60.
const SHORT = ["loadtest", "--concurrency", "8", "--duration", "1m"];

describe("swarmgate loadtest --provider-limit", () => {
  it("pins the calls to a header-less limited provider and counts its 429s per provider (JSON)", async () => {
    const r = await runCli([...SHORT, "--provider-limit", "together=30", "--json", "--no-report"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.model).toBe("meta-llama/Llama-3.1-8B-Instruct:together");
    expect(s.targetLabel).toMatch(/together 30 rpm/);
    expect(Object.keys(s.providers)).toEqual(["together"]);
    const together = s.providers.together;
    expect(together.requests).toBe(s.requests.total);
    expect(together.status429).toBeGreaterThan(0);
    expect(together.status429).toBe(s.requests.status429);
    expect(together.ok).toBe(s.requests.ok);
    expect(together.ok + together.status429 + together.status503 + together.otherErrors).toBe(
      together.requests,
    );
  });

  it("shows the per-provider table in the terminal and the HTML report, ungoverned, with Together-style headers", async () => {
    const cwd = tempDir();
    const r = await runCli(
      [
        ...SHORT,
        "--ungoverned",
        "--provider-limit",
        "novita=20",
        "--provider-headers",
        "together",
        "--body-hint",
        "--report",
        "r.html",
      ],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/provider\s+requests\s+ok\s+429\s+503\s+other/);
    const row = /^\s+novita\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)$/m.exec(r.stdout);
    expect(row, r.stdout).not.toBeNull();
    expect(Number(row![3]!.replace(/,/g, ""))).toBeGreaterThan(0);
    const html = readFileSync(join(cwd, "r.html"), "utf8");
    expect(html).toContain('<table id="providers">');
    expect(html).toMatch(/<tr><td>novita<\/td><td>[\d,]+<\/td><td>[\d,]+<\/td><td>[1-9][\d,]*<\/td>/);
    const data = JSON.parse(/<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.summary.providers.novita.status429).toBeGreaterThan(0);
  });
});
