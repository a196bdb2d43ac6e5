// What it costs to keep many callers waiting in each queue kind (docs/benchmarks.md,
// "Waiting callers"): callers queued behind a binding quota window, measured as heap per
// waiting caller and time per admission, for 10,000 and 100,000 waiters; once as whole
// `governor.run` calls, once as the quota's waiters alone (`QuotaGate.acquire`). Runs from the
// repository root after `pnpm build`:
//
//   node bench/queues/run.mjs [--rounds 3] [--waiters 10000,100000]
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { integerOption, measureInChild, median } from "../support.mjs";

const MEASURE = fileURLToPath(new URL("./measure.mjs", import.meta.url));
const KINDS = ["fifo", "priority", "fair-share"];

/** Measures every queue kind at each size; prints a Markdown table. */
export async function run({ argv = [] } = {}) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: "string", default: "3" },
      waiters: { type: "string", default: "10000,100000" },
    },
    strict: false,
  });
  const rounds = integerOption("rounds", values.rounds, 1);
  const sizes = String(values.waiters)
    .split(",")
    .map((s) => integerOption("waiters", s, 1));
  const rows = [];
  for (const level of ["run", "gate"])
    for (const waiters of sizes)
      for (const kind of KINDS) {
        const samples = [];
        for (let r = 0; r < rounds; r++) {
          const args = ["--kind", kind, "--waiters", String(waiters), "--level", level];
          const result = await measureInChild(MEASURE, args);
          samples.push(result);
          console.error(
            `  ${level.padEnd(4)} ${kind.padEnd(10)} ${String(waiters).padStart(7)} waiters: ${result.bytesPerWaiter.toFixed(0)} B/waiter, ${result.nsPerAdmission.toFixed(0)} ns/admission`,
          );
        }
        rows.push({
          level,
          kind,
          waiters,
          bytes: median(samples.map((s) => s.bytesPerWaiter)),
          ns: median(samples.map((s) => s.nsPerAdmission)),
        });
      }
  const what = { run: "`governor.run` (the whole call)", gate: "`QuotaGate.acquire` (the waiter alone)" };
  console.log(
    [
      "",
      `Node ${process.version}; medians of ${rounds} rounds; each call waits in the quota's queue (1,000 permits a window)`,
      "",
      "| measured call | queue | waiting | heap per waiter (B) | time per admission (ns) |",
      "|---|---|--:|--:|--:|",
      ...rows.map(
        (r) =>
          `| ${what[r.level]} | ${r.kind} | ${r.waiters.toLocaleString("en")} | ${r.bytes.toFixed(0)} | ${r.ns.toFixed(0)} |`,
      ),
      "",
    ].join("\n"),
  );
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ argv: process.argv.slice(2) });
}
