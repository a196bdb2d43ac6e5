import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

// The governor's internal state is bounded by calls in flight, not by how many calls ran or
// how many distinct timeouts they asked for: after each load the heap (after gc) is back
// within 10 MB of where it started. Measured in a child with --expose-gc, on the built
// packages, so that the test runner's own heap does not blur the figures.

const root = fileURLToPath(new URL("../../", import.meta.url));
const coreDist = join(root, "packages/core/dist/index.js");
const MB = 1024 * 1024;

const SCRIPT = `
import { createGovernor, ManualClock } from ${JSON.stringify(pathToFileURL(coreDist).href)};
const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed; };
const out = {};
async function measure(name, run) {
  const before = heap();
  const t0 = performance.now();
  const peak = await run();
  out[name] = { before, peak, after: heap(), ms: Math.round(performance.now() - t0) };
}
// Calls in batches: the batch's promises are the only ones alive at a time.
async function batches(total, size, start) {
  let peak = 0;
  for (let done = 0; done < total; done += size) {
    const batch = [];
    for (let i = 0; i < size; i++) batch.push(start(done + i));
    await Promise.all(batch);
    if (done % (size * 100) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  return peak;
}
const trivial = async () => 1;

{
  const governor = createGovernor({ name: "million" });
  await batches(10_000, 1_000, () => governor.run(trivial)); // warm-up
  await measure("1M calls", () => batches(1_000_000, 1_000, () => governor.run(trivial)));
  out["1M calls"].live = governor.stats().inFlight ?? 0;
  await governor.close();
}
{
  const clock = new ManualClock(0);
  const governor = createGovernor({ name: "queued", clock, concurrency: false, quotas: { inference: [{ limit: 20_000, windowMs: 60_000 }] } });
  await batches(20_000, 20_000, () => governor.run(trivial)); // spends the first window
  await measure("20k queued", async () => {
    const queued = Array.from({ length: 20_000 }, () => governor.run(trivial));
    await clock.advance(0);
    const waiting = governor.stats().quota.inference.waiting;
    const peak = process.memoryUsage().heapUsed;
    await clock.advance(60_000);
    await Promise.all(queued);
    out.waiting = waiting;
    return peak;
  });
  out.waitingAfter = governor.stats().quota.inference.waiting;
  await governor.close();
}
{
  const governor = createGovernor({ name: "timeouts" });
  await batches(2_000, 1_000, (i) => governor.run(trivial, { totalTimeoutMs: 60_000 + i, attemptTimeoutMs: 30_000 + i }));
  await measure("200k distinct timeouts", () =>
    batches(200_000, 1_000, (i) => governor.run(trivial, { totalTimeoutMs: 100_000 + i, attemptTimeoutMs: 50_000 + i })),
  );
  await governor.close();
}
{
  const governor = createGovernor({ name: "keys" });
  await batches(2_000, 1_000, (i) => governor.run(trivial, { provider: "warm-" + i }));
  await measure("20k distinct upstream keys", () => batches(20_000, 1_000, (i) => governor.run(trivial, { provider: "p" + i })));
  out.breakers = Object.keys(governor.stats().breakers).length;
  await governor.close();
}
console.log("RESULT " + JSON.stringify(out));
`;

beforeAll(() => {
  // A dist from before the keep-alive existed would test old code: build that too.
  if (!existsSync(join(root, "packages/core/dist/keep-alive.js")))
    execFileSync("pnpm", ["build"], { cwd: root, stdio: "ignore" });
}, 180_000);

describe("bounded state", () => {
  it("1M calls, 20k queued calls, 200k distinct timeouts and 20k upstream keys leave the heap within 10 MB of its start", async () => {
    const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", SCRIPT], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    const result = JSON.parse(stdout.split("RESULT ")[1] ?? "{}") as Record<
      string,
      { before: number; peak: number; after: number; ms: number }
    > & { waiting: number; waitingAfter: number; breakers: number };
    for (const name of ["1M calls", "20k queued", "200k distinct timeouts", "20k distinct upstream keys"]) {
      const r = result[name]!;
      const mb = (n: number) => (n / MB).toFixed(1);
      console.log(
        `bounded state: ${name}: heap ${mb(r.before)} MB before, ${mb(r.peak)} MB peak, ${mb(r.after)} MB after (${mb(r.after - r.before)} MB), ${r.ms} ms`,
      );
      expect(r.after - r.before).toBeLessThan(10 * MB);
    }
    expect(result.waiting).toBe(20_000);
    expect(result.waitingAfter).toBe(0);
    expect(result.breakers).toBeLessThanOrEqual(1024);
  }, 60_000);
});
