import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { integerOption, measureInChild, median } from "../support.mjs";

const MEASURE = fileURLToPath(new URL("./measure.mjs", import.meta.url));
const MODES = [
  { id: "off", label: "governor, telemetry off (no SDK: the API no-ops)" },
  { id: "metrics", label: "governor + OTel SDK, metrics only (spans not sampled)" },
  { id: "full", label: "governor + OTel SDK, spans and metrics (exported to nowhere)" },
  {
    id: "full-http",
    label: "… plus one HTTP attempt per call (span, histogram, `traceparent`, context manager)",
  },
  { id: "full-exemplars", label: "… plus exemplars on the histograms (startTelemetry with Prometheus)" },
];

function measureOnce(mode, { calls, warmup, inFlight }) {
  return measureInChild(MEASURE, [
    "--mode",
    mode,
    "--calls",
    String(calls),
    "--warmup",
    String(warmup),
    "--in-flight",
    String(inFlight),
  ]);
}

const fmt = (ns) => (Math.abs(ns) >= 100 ? ns.toFixed(0) : ns.toFixed(1));

/**
 * Measures each telemetry mode and prints a Markdown table (stdout) and progress (stderr).
 *
 * @param {{ argv?: readonly string[] }} [options]
 */
export async function run({ argv = [] } = {}) {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    options: {
      rounds: { type: "string", default: "5" },
      calls: { type: "string", default: "200000" },
      warmup: { type: "string", default: "20000" },
      "in-flight": { type: "string", default: "64" },
    },
  });
  const rounds = integerOption("rounds", values.rounds, 1);
  const settings = {
    calls: integerOption("calls", values.calls, 1),
    warmup: integerOption("warmup", values.warmup, 0),
    inFlight: integerOption("in-flight", values["in-flight"], 1),
  };
  const samples = new Map(MODES.map((m) => [m.id, []]));
  const started = Date.now();
  console.error(
    `otel overhead: ${rounds} rounds × ${MODES.length} modes, ${settings.calls} calls, ${settings.inFlight} in flight`,
  );
  for (let round = 0; round < rounds; round++) {
    const shift = round % MODES.length;
    for (const mode of [...MODES.slice(shift), ...MODES.slice(0, shift)]) {
      const result = await measureOnce(mode.id, settings);
      const perCall = result.ns / result.calls;
      samples.get(mode.id).push(perCall);
      console.error(
        `  round ${round + 1}/${rounds}  ${mode.id.padEnd(10)} ${fmt(perCall).padStart(6)} ns/call`,
      );
    }
  }
  const off = median(samples.get("off"));
  const lines = [
    "| Setting | ns/call (median) | min–max over rounds | calls/s | added by telemetry (ns/call) |",
    "|---|--:|--:|--:|--:|",
  ];
  const rows = MODES.map((m) => ({ ...m, median: median(samples.get(m.id)), nsPerCall: samples.get(m.id) }));
  for (const row of rows) {
    const spread = `${fmt(Math.min(...row.nsPerCall))}–${fmt(Math.max(...row.nsPerCall))}`;
    const added = row.id === "off" ? "–" : `+${fmt(row.median - off)}`;
    lines.push(
      `| ${row.label} | ${fmt(row.median)} | ${spread} | ${(1e3 / row.median).toFixed(2)} M | ${added} |`,
    );
  }
  const cpus = os.cpus();
  console.log(
    [
      "",
      `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${new Date().toISOString().slice(0, 10)}; ` +
        `${rounds} rounds of ${settings.calls} calls after ${settings.warmup} warm-up, ${settings.inFlight} in flight ` +
        `(${((Date.now() - started) / 1000).toFixed(0)} s)`,
      "",
      ...lines,
      "",
    ].join("\n"),
  );
  return { rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ argv: process.argv.slice(2) });
}
