// Runs examples/limits-nobody-states as its README says (a built workspace), as a process.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, root } from "./cli-support.js";

beforeAll(ensureBuilt);

describe("examples/limits-nobody-states", () => {
  it("answers every call through bare 429s, a loading model and an outage, learning a pace and keeping the breakers closed", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, "examples/limits-nobody-states/index.mjs")],
      { cwd: root, timeout: 60_000 },
    );
    expect(stdout).toMatch(/^together: 120 of 120 calls answered in /m);
    expect(stdout).toMatch(/^hf-inference: 120 of 120 calls answered in /m);
    expect(stdout).toMatch(/^outage: 120 of 120 calls answered in /m);
    // What meets the outage: at most a request per slot (16) before three 503s in a row hold
    // the upstream, then one probe per pause: two latencies (at least 2 ms), doubling to the
    // breaker's 1 s reset, so at most 10 probes to reach it and 3 more in 3 s.
    const refused = Number(/^the simulator answered (\d+) requests 503 while it was down$/m.exec(stdout)![1]);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(16 + 13);
    expect(stdout).toMatch(/together refused without a word: pace cut to \d/);
    expect(stdout).toMatch(/^learned: together at \d+(\.\d)? requests\/s$/m);
    expect(stdout).toMatch(/^breakers: \{"together":"closed","hf-inference":"closed"\}$/m);
    const retries = JSON.parse(/^retries: (.*)$/m.exec(stdout)![1]!);
    expect(retries.loading).toBeGreaterThan(0);
    // Every 503 retried as overload is the outage's: the cold start's are `loading`.
    expect(retries.overloaded).toBe(refused);
  });
});
