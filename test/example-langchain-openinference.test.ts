// Runs examples/langchain-openinference as its README says (a built workspace), as a process:
// the real OpenInference instrumentation, real createAgent agents in parallel, the simulator.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, root } from "./cli-support.js";

beforeAll(ensureBuilt);

describe("examples/langchain-openinference", () => {
  it("makes one trace per agent run, each swarmgate call span under an OpenInference LLM span, and exits 0", async () => {
    const env = { ...process.env };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    // execFile rejects on a non-zero exit: resolving is the exit code 0.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, "examples/langchain-openinference/index.mjs")],
      { cwd: root, env, timeout: 60_000 },
    );
    const lines = stdout.split("\n").filter((line) => line.startsWith("trace "));
    expect(lines).toHaveLength(6);
    const roots = lines.map((line) => {
      // Each agent's tool loop (model → tool → model): 2 call spans, both under LLM spans,
      // OpenInference's tree and the governor's call and HTTP attempt spans in one trace.
      const match =
        /^trace [0-9a-f]{32}: (\d+) spans, root (\S+), 2 of 2 swarmgate call spans under OpenInference LLM spans$/.exec(
          line,
        );
      expect(match, line).not.toBeNull();
      // At least the root, two LLM spans, two call spans, their two POSTs and the tool.
      expect(Number(match![1])).toBeGreaterThanOrEqual(8);
      return match![2];
    });
    expect(roots.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `forecaster-${i}`));
    expect(stdout).toMatch(
      /^6 agent runs, 6 traces, 0 runs split over more than one trace: one tree per agent run$/m,
    );
  });
});
