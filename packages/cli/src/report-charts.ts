import type { Recording, SeriesPoint } from "./recorder.js";
import { type ChartSeries, lineChart } from "./svg-chart.js";

// Okabe–Ito: told apart with most colour-vision deficiencies; dashes and markers do the rest.
const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000"];

const WAIT_SOURCES: Readonly<Record<string, string>> = {
  local_window: "quota window (local_window)",
  local_concurrency: "concurrency slot (local_concurrency)",
  server_429: "backoff after 429 (server_429)",
  server_503: "backoff after 503 (server_503)",
  retry_backoff: "other retry backoff",
};

const THROTTLE_SOURCES: Readonly<Record<string, string>> = {
  local_window: "quota window (local_window)",
  local_concurrency: "concurrency slot (local_concurrency)",
  server_429: "server 429 (server_429)",
  server_503: "server 503 (server_503)",
  breaker_open: "breaker open (breaker_open)",
};

/** The keys of `tally`, known ones first in `order`, the others by total, largest first. */
function keysOf(totals: Readonly<Record<string, number>>, order: readonly string[]): string[] {
  const present = Object.keys(totals).filter((k) => (totals[k] ?? 0) > 0);
  const known = order.filter((k) => present.includes(k));
  const rest = present
    .filter((k) => !order.includes(k))
    .sort((a, b) => totals[b]! - totals[a]! || (a < b ? -1 : 1));
  return [...known, ...rest];
}

function breakdown(
  recording: Recording,
  keys: readonly string[],
  names: Readonly<Record<string, string>>,
  pick: (p: SeriesPoint) => Readonly<Record<string, number>>,
  scale: number,
): ChartSeries[] {
  return keys.map((key, i) => ({
    name: names[key] ?? key,
    color: PALETTE[i % PALETTE.length]!,
    values: recording.series.map((p) => (pick(p)[key] ?? 0) / scale),
  }));
}

/**
 * The report's charts over scenario time: throughput, concurrency, 429/503 answers, latency
 * percentiles, retries by reason, throttle waits and throttles by source, and credits.
 */
export function reportCharts(recording: Recording, governed: boolean): string[] {
  const xs = recording.series.map((p) => p.t);
  const bucket = recording.bucketSeconds;
  const per = (n: number) => n / bucket;
  const totals = recording.totals;
  const remainingKnown = recording.series.some((p) => p.creditsRemainingUsd !== null);
  return [
    lineChart({
      id: "throughput",
      title: "Throughput",
      unit: "per second",
      xs,
      series: [
        { name: "requests", color: "#0072b2", values: recording.series.map((p) => per(p.requests)) },
        { name: "successful calls", color: "#009e73", values: recording.series.map((p) => per(p.callsOk)) },
        { name: "failed calls", color: "#d55e00", values: recording.series.map((p) => per(p.callsFailed)) },
      ],
    }),
    lineChart({
      id: "concurrency",
      title: "Concurrency",
      unit: "requests",
      xs,
      series: [
        { name: "in flight (max)", color: "#0072b2", values: recording.series.map((p) => p.inFlight) },
        { name: "governor limit", color: "#cc79a7", values: recording.series.map((p) => p.concurrencyLimit) },
      ],
      empty: "No request was sent.",
    }),
    lineChart({
      id: "errors",
      title: "429 and 503 answers",
      unit: "per second",
      xs,
      series: [
        { name: "429", color: "#e69f00", values: recording.series.map((p) => per(p.status429)) },
        { name: "503", color: "#d55e00", values: recording.series.map((p) => per(p.status503)) },
        { name: "other errors", color: "#000000", values: recording.series.map((p) => per(p.otherErrors)) },
      ],
    }),
    lineChart({
      id: "latency",
      title: "Latency of successful calls (waits and retries included)",
      unit: "scenario time",
      yKind: "ms",
      xs,
      series: (["p50", "p95", "p99"] as const).map((k, i) => ({
        name: k,
        color: ["#009e73", "#e69f00", "#d55e00"][i]!,
        values: recording.series.map((p) => (p.callsOk > 0 ? p[k] : null)),
      })),
      empty: "No call succeeded.",
    }),
    lineChart({
      id: "retries",
      title: "Retries by reason",
      unit: "per second",
      xs,
      series: breakdown(recording, keysOf(totals.retriesByReason, []), {}, (p) => p.retriesByReason, bucket),
      empty: "No request was retried in this run.",
    }),
    lineChart({
      id: "waits",
      title: "Throttle waits by source",
      unit: "calls waiting, on average",
      note: "scenario seconds waited per second: for quota permits and concurrency slots, and in backoff before a retry",
      xs,
      series: breakdown(
        recording,
        keysOf(totals.throttleWaitMsBySource, Object.keys(WAIT_SOURCES)),
        WAIT_SOURCES,
        (p) => p.waitMsBySource,
        bucket * 1000,
      ),
      empty: "No call waited in this run.",
    }),
    lineChart({
      id: "throttles",
      title: "Throttles by source",
      unit: "per second",
      note: "the governor's swarmgate.throttles counter",
      xs,
      series: governed
        ? breakdown(
            recording,
            Object.keys(THROTTLE_SOURCES),
            THROTTLE_SOURCES,
            (p) => p.throttlesBySource,
            bucket,
          )
        : [],
      empty: "Ungoverned: no governor counted throttles (the 429 and 503 chart shows the server's refusals).",
    }),
    lineChart({
      id: "credits",
      title: "Credits",
      unit: "USD",
      yKind: "usd",
      note: remainingKnown
        ? "spent since the start and left in the governor's budget"
        : `spent since the start (${governed ? "the governor's reconciled credits" : "the answers' usage at example prices"}); remaining: no budget set`,
      xs,
      series: [
        { name: "spent (cumulative)", color: "#0072b2", values: recording.series.map((p) => p.creditsUsd) },
        ...(remainingKnown
          ? [
              {
                name: "remaining",
                color: "#e69f00",
                values: recording.series.map((p) => p.creditsRemainingUsd),
              },
            ]
          : []),
      ],
    }),
  ];
}
