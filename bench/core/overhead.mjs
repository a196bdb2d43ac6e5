// Per-call overhead of the governor around a no-op async function, beside a bare call and
// other resilience libraries, with a fixed number of calls in flight (docs/benchmarks.md,
// "Core governor overhead"). Runs from the repository root after `pnpm build`:
//
//   node bench/core/overhead.mjs [--rounds 5] [--calls 500000] [--warmup 50000] [--in-flight 64]
//                                [--contenders bare,opossum,governor]
//
// Each (round, contender) pair is one fresh process (measure.mjs): a warm-up, then the timed
// calls. Rounds interleave the contenders, rotating their order, so that a slow moment of
// the machine lands on several contenders rather than on one, and the table shows the median.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { integerOption, measureInChild, median } from "../support.mjs";
import { contenders } from "./contenders.mjs";

const MEASURE = fileURLToPath(new URL("./measure.mjs", import.meta.url));
const TARGET_NS = 1500;
const TARGET_RATIO = 2;

function measureOnce(id, { calls, warmup, inFlight }) {
  return measureInChild(MEASURE, [
    "--contender",
    id,
    "--calls",
    String(calls),
    "--warmup",
    String(warmup),
    "--in-flight",
    String(inFlight),
  ]);
}

// Which code was measured: the commit, and whether packages/core differed from it.
function revision() {
  const git = (...args) =>
    execFileSync("git", ["--no-optional-locks", ...args], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  try {
    const dirty = git("status", "--porcelain", "--", "packages/core") !== "";
    let head = "no commit yet";
    try {
      head = `commit ${git("rev-parse", "--short", "HEAD")}`;
    } catch {}
    return `${head}${dirty ? ", packages/core with uncommitted changes" : ""}`;
  } catch {
    return "not a git checkout";
  }
}

const fmtNs = (ns) => (Math.abs(ns) >= 100 ? ns.toFixed(0) : ns.toFixed(1));
const fmtRate = (ns) => `${(1e3 / ns).toFixed(2)} M`;

/**
 * Measures every selected contender and prints a Markdown table (stdout) and progress (stderr).
 *
 * @param {{ argv?: readonly string[] }} [options]
 * @returns {Promise<{ rows: { id: string, label: string, nsPerCall: number[], median: number }[], verdict: string }>}
 */
export async function run({ argv = [] } = {}) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: "string", default: "5" },
      calls: { type: "string", default: "500000" },
      warmup: { type: "string", default: "50000" },
      "in-flight": { type: "string", default: "64" },
      contenders: { type: "string" },
    },
  });
  const rounds = integerOption("rounds", values.rounds, 1);
  const settings = {
    calls: integerOption("calls", values.calls, 1),
    warmup: integerOption("warmup", values.warmup, 0),
    inFlight: integerOption("in-flight", values["in-flight"], 1),
  };
  const wanted = values.contenders?.split(",").map((s) => s.trim());
  const selected = wanted ? contenders.filter((c) => wanted.includes(c.id)) : [...contenders];
  const unknown = wanted?.filter((id) => !contenders.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0 || selected.length === 0) {
    const ids = contenders.map((c) => c.id).join(", ");
    throw new TypeError(
      `Expected \`--contenders\` to be a comma-separated list of ${ids}, got ${values.contenders}`,
    );
  }

  const samples = new Map(selected.map((c) => [c.id, []]));
  const started = Date.now();
  console.error(
    `core overhead: ${rounds} rounds × ${selected.length} contenders, ${settings.calls} calls ` +
      `(after ${settings.warmup} warm-up) with ${settings.inFlight} in flight`,
  );
  for (let round = 0; round < rounds; round++) {
    const shift = round % selected.length;
    const order = [...selected.slice(shift), ...selected.slice(0, shift)];
    for (const contender of order) {
      const result = await measureOnce(contender.id, settings);
      const perCall = result.ns / result.calls;
      samples.get(contender.id).push(perCall);
      console.error(
        `  round ${round + 1}/${rounds}  ${contender.id.padEnd(14)} ${fmtNs(perCall).padStart(6)} ns/call`,
      );
    }
  }

  const rows = selected.map((c) => ({
    id: c.id,
    label: c.label,
    nsPerCall: samples.get(c.id),
    median: median(samples.get(c.id)),
  }));
  const byId = (id) => rows.find((r) => r.id === id);
  const bare = byId("bare");
  const opossum = byId("opossum");
  const opossumTimer = byId("opossum-timer");
  const lines = [
    "| Contender | ns/call (median) | min–max over rounds | calls/s | overhead vs bare (ns) | × opossum `timeout: false` | × opossum default |",
    "|---|--:|--:|--:|--:|--:|--:|",
  ];
  const ratio = (row, ref) => (ref ? `${(row.median / ref.median).toFixed(2)}×` : "–");
  for (const row of rows) {
    const spread = `${fmtNs(Math.min(...row.nsPerCall))}–${fmtNs(Math.max(...row.nsPerCall))}`;
    const overhead = bare ? fmtNs(row.median - bare.median) : "–";
    lines.push(
      `| ${row.label} | ${fmtNs(row.median)} | ${spread} | ${fmtRate(row.median)} | ${overhead} | ${ratio(row, opossum)} | ${ratio(row, opossumTimer)} |`,
    );
  }

  const governor = byId("governor");
  let verdict = "The target needs the `governor` and `opossum` contenders in the same run.";
  if (governor && opossum) {
    const under = governor.median < TARGET_NS;
    const within = governor.median <= TARGET_RATIO * opossum.median;
    verdict =
      `Target (governor < ${TARGET_NS} ns/call and ≤ ${TARGET_RATIO}× opossum \`timeout: false\`): ` +
      `${under && within ? "met" : "missed"} — ${fmtNs(governor.median)} ns/call ` +
      `(${under ? "under" : "over"} ${TARGET_NS}), ${(governor.median / opossum.median).toFixed(2)}× opossum.`;
  }

  const cpus = os.cpus();
  console.log(
    [
      "",
      `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${new Date().toISOString().slice(0, 10)}, ${revision()}; ` +
        `${rounds} rounds of ${settings.calls} calls after ${settings.warmup} warm-up, ${settings.inFlight} in flight ` +
        `(${((Date.now() - started) / 1000).toFixed(0)} s)`,
      "",
      ...lines,
      "",
      verdict,
      "",
    ].join("\n"),
  );
  return { rows, verdict };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ argv: process.argv.slice(2) });
}
