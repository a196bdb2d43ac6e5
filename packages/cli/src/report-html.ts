import { writeFile } from "node:fs/promises";
import type { Recording } from "./recorder.js";
import { reportCharts } from "./report-charts.js";
import type { Summary } from "./summary.js";
import { providerRows, summaryRows } from "./summary-table.js";
import { escapeHtml as esc } from "./svg-chart.js";

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:800px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}p.sub{color:#5b6475;margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin:8px 0 20px}td,th{border-bottom:1px solid #e3e6ec;padding:5px 8px;text-align:left;vertical-align:top}
th{width:30%;color:#5b6475;font-weight:600}figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:4px}
.unit{color:#5b6475;font-weight:400}.note{display:block;color:#5b6475;font-weight:400;font-size:12px}
svg text{font-size:11px;fill:#5b6475}svg .legend{fill:#1d2330;font-size:12px}
p.empty{border:1px dashed #c5cad3;border-radius:6px;color:#5b6475;padding:18px;text-align:center;margin:4px 0}
.grid{stroke:#eef0f4}.axis{stroke:#9aa3b2}.warn{background:#fff4e5;border:1px solid #f0c36d;padding:8px 12px;border-radius:6px}
.ok{color:#1a7f37}.bad{color:#c62828}`;

/**
 * A self-contained HTML report: the summary table and eight charts over time (throughput,
 * concurrency, 429/503, latency percentiles, retries by reason, throttle waits and throttles
 * by source, credits) as inline SVG. No script, no stylesheet or
 * font from the network.
 */
export function renderReport(summary: Summary, recording: Recording): string {
  const charts = reportCharts(recording, summary.governed);
  const rows = summaryRows(summary)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("");
  const windows = recording.windows
    .map(
      (w, i) =>
        `<tr><td>${i + 1}</td><td>${esc(w.policy)}</td><td>${w.used}</td><td>${w.quota}</td><td class="${w.used > w.quota ? "bad" : "ok"}">${w.used > w.quota ? "over" : "within"}</td></tr>`,
    )
    .join("");
  const providers = providerRows(summary)
    .map(
      ([name, ...counts]) => `<tr><td>${esc(name)}</td>${counts.map((c) => `<td>${c}</td>`).join("")}</tr>`,
    )
    .join("");
  const title = `swarmgate ${summary.command}: ${summary.scenario}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
<h1>${esc(title)}</h1>
<p class="sub">${esc(summary.startedAt)} · ${esc(summary.targetLabel)} · ${summary.governed ? "governed" : "ungoverned"} · times in scenario time${summary.timeScale === 1 ? "" : ` (the simulator runs ×${summary.timeScale})`}</p>
${summary.interrupted ? '<p class="warn">Interrupted (Ctrl-C): partial results.</p>' : ""}
<table id="summary">${rows}</table>
${charts.join("\n")}
<h2>Per provider (from x-inference-provider)</h2>
<table id="providers"><tr><th>provider</th><th>requests</th><th>ok</th><th>429</th><th>503</th><th>other</th></tr>${providers || '<tr><td colspan="6">no answers</td></tr>'}</table>
<h2>Quota windows (from RateLimit headers)</h2>
<table id="windows"><tr><th>#</th><th>bucket</th><th>used</th><th>quota</th><th></th></tr>${windows || '<tr><td colspan="5">no RateLimit headers seen</td></tr>'}</table>
<script type="application/json" id="data">${JSON.stringify({ summary, series: recording.series }).replace(/</g, "\\u003c")}</script>
</body></html>
`;
}

/** Writes the report; returns its path. */
export async function writeReport(path: string, summary: Summary, recording: Recording): Promise<string> {
  await writeFile(path, renderReport({ ...summary, report: path }, recording));
  return path;
}
