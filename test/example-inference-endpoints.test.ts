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
    // How far autoscaling got depends on the machine's speed; what was served does not.
    expect(lines[2]).toMatch(/^cold start +\w+ +replicas [01]\/1 /);
    expect(lines[3]).toMatch(/^swarm +200 answered, 0 refused/);
    expect(lines[4]).toMatch(/^after the swarm +running +replicas [1-4]\/[1-4] \(max 4\) +served 200 /);
    expect(lines[5]).toMatch(/^idle 16 minutes +scaledToZero +replicas 0\/0 .*\$0\.00\/h +spent \$0\.\d{4}$/);
  });
});
