// Runs examples/inference-endpoints as its README says (a built workspace), as a process.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, root } from "./cli-support.js";

beforeAll(ensureBuilt);

describe("examples/inference-endpoints", () => {
  it("calls a scale-to-zero endpoint with the unmodified InferenceClient and reports its cost", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, "examples/inference-endpoints/index.mjs")],
      {
        cwd: root,
        timeout: 60_000,
      },
    );
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^created \(min 0\) +scaledToZero +replicas 0\/0/);
    expect(lines[1]).toMatch(/^first call +503: .*initializing/);
    expect(lines[2]).toMatch(/^cold start +initializing +replicas 0\/1/);
    expect(lines[3]).toMatch(/^swarm +200 answered, 0 refused/);
    expect(lines[4]).toMatch(/^after the swarm +running +replicas ([2-4])\/\1 .* served 200 /);
    expect(lines[5]).toMatch(/^idle 16 minutes +scaledToZero +replicas 0\/0 .*\$0\.00\/h +spent \$0\.\d{4}$/);
  });
});
