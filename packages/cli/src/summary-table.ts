import { formatDuration, formatInt, formatMs, formatPercent, formatUsd } from "./format.js";
import type { Summary } from "./summary.js";

/** Rows of the summary: label and value, shared by the terminal table and the HTML report. */
export function summaryRows(s: Summary): [string, string][] {
  const rows: [string, string][] = [
    ["target", s.targetLabel],
    ["mode", s.governed ? "governed (swarmgate)" : "ungoverned (seed's exponential backoff)"],
    [
      "load",
      `${s.concurrency} concurrent, ${formatDuration(s.durationSeconds)}, ${s.rampSeconds > 0 ? `ramp ${formatDuration(s.rampSeconds)}` : "no ramp"}${s.timeScale === 1 ? "" : ` (time ×${s.timeScale}: ${s.wallSeconds.toFixed(1)} s wall)`}`,
    ],
  ];
  if (s.tasks) rows.push(["agent tasks", `${s.tasks.completed} completed, ${s.tasks.failed} failed`]);
  rows.push(
    [
      "calls",
      `${formatInt(s.calls.completed)} completed, ${formatInt(s.calls.failed)} failed, ${formatInt(s.calls.cancelled)} cut at the end`,
    ],
    [
      "requests",
      `${formatInt(s.requests.total)} (${s.requests.perSecond.toFixed(2)}/s, ${formatInt(s.requests.ok)} ok)`,
    ],
    [
      "error rate",
      `${formatPercent(s.errorRate.total)} (429: ${formatInt(s.requests.status429)} = ${formatPercent(s.errorRate.status429)}, 503: ${formatInt(s.requests.status503)} = ${formatPercent(s.errorRate.status503)}, other: ${formatInt(s.requests.otherErrors)})`,
    ],
    ["retry rate", `${formatPercent(s.retryRate)} (${formatInt(s.retries)} retries)`],
    [
      "latency p50 / p95 / p99",
      `${formatMs(s.latencyMs.p50)} / ${formatMs(s.latencyMs.p95)} / ${formatMs(s.latencyMs.p99)}`,
    ],
    [
      "throttle wait",
      `${formatDuration(s.throttleWait.totalSeconds)} in all, ${s.throttleWait.perCallSeconds.toFixed(2)} s per call`,
    ],
    [
      "quota",
      s.quota.limit === null
        ? "no RateLimit headers seen"
        : `most used in one window ${formatInt(s.quota.maxUsed)} of ${formatInt(s.quota.limit)}, ${s.quota.windows} window${s.quota.windows === 1 ? "" : "s"}${s.quota.overQuota === null ? "" : s.quota.overQuota ? ", a window went OVER quota" : ", none over quota"}`,
    ],
    [
      "concurrency",
      `max ${s.inFlight.max} in flight${s.inFlight.governorLimit === null ? "" : `, governor limit ${s.inFlight.governorLimit}`}`,
    ],
    ["credits", formatUsd(s.creditsUsd)],
  );
  return rows;
}

const PROVIDER_COLUMNS = ["requests", "ok", "429", "503", "other"] as const;

/** One row per provider: name, then requests, ok, 429, 503 and other errors. */
export function providerRows(s: Summary): [string, ...string[]][] {
  return Object.entries(s.providers).map(([name, c]) => [
    name,
    ...[c.requests, c.ok, c.status429, c.status503, c.otherErrors].map(formatInt),
  ]);
}

/** The per-provider table under the summary, indented; nothing when no request was answered. */
function providerTable(s: Summary): string[] {
  const rows = providerRows(s);
  if (rows.length === 0) return [];
  const header = ["provider", ...PROVIDER_COLUMNS] as const;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")}`;
  return ["", line(header), ...rows.map(line)];
}

/** The summary as a two-column text table, then the per-provider answers. */
export function summaryTable(s: Summary): string {
  const rows = summaryRows(s);
  const width = Math.max(...rows.map(([label]) => label.length));
  const title = `swarmgate ${s.command} — ${s.scenario}${s.interrupted ? " (INTERRUPTED: partial results)" : ""}`;
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return [
    title,
    "─".repeat(Math.min(100, title.length + 10)),
    ...lines,
    ...(s.report ? [`  ${"report".padEnd(width)}  ${s.report}`] : []),
    ...providerTable(s),
  ].join("\n");
}
