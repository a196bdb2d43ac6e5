import type { SimulatorStats } from "@swarmgate/hf-simulator";
import type { ProviderCounts, Recording } from "./recorder.js";

/** What a run was: the header of its summary and report. */
export interface RunInfo {
  readonly command: "loadtest" | "demo";
  /** The scenario name, or `custom`. */
  readonly scenario: string;
  readonly target: "sim" | "url" | "hf";
  readonly targetLabel: string;
  readonly governed: boolean;
  readonly tier: string;
  readonly timeScale: number;
  readonly concurrency: number;
  /** Planned, scenario seconds. */
  readonly durationSeconds: number;
  readonly rampSeconds: number;
  readonly model: string;
  readonly startedAt: string;
}

/** The summary of a run: `--json` prints it, the table and the report show it. */
export interface Summary extends RunInfo {
  /** True when Ctrl-C stopped the run: the figures are partial. */
  readonly interrupted: boolean;
  /** Scenario seconds the run lasted, and wall seconds. */
  readonly elapsedSeconds: number;
  readonly wallSeconds: number;
  readonly calls: { readonly completed: number; readonly failed: number; readonly cancelled: number };
  readonly tasks?: { readonly completed: number; readonly failed: number };
  readonly requests: {
    readonly total: number;
    readonly ok: number;
    readonly status429: number;
    readonly status503: number;
    readonly otherErrors: number;
    /** HTTP requests per scenario second. */
    readonly perSecond: number;
  };
  /** Shares of all requests. */
  readonly errorRate: { readonly total: number; readonly status429: number; readonly status503: number };
  /** Re-sent requests per completed-or-failed call. */
  readonly retryRate: number;
  readonly retries: number;
  /** Successful calls, waits and retries included (scenario ms). */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** Time calls spent waiting for permits, slots or backoff (scenario seconds). */
  readonly throttleWait: { readonly totalSeconds: number; readonly perCallSeconds: number };
  readonly creditsUsd: number;
  /** Most HTTP requests in flight at once; the governor's concurrency limit at the end (`null` ungoverned). */
  readonly inFlight: { readonly max: number; readonly governorLimit: number | null };
  /** From the server's RateLimit headers; `overQuota` from the simulator's own audit. */
  readonly quota: {
    readonly windows: number;
    readonly limit: number | null;
    readonly maxUsed: number;
    readonly overQuota: boolean | null;
  };
  /**
   * HTTP answers per provider that served or refused them (`x-inference-provider`; without
   * it, the pinned provider or `router`), by name.
   */
  readonly providers: Readonly<Record<string, ProviderCounts>>;
  /** The HTML report, when written. */
  readonly report?: string;
}

/** Builds the summary of a recording. */
export function summarize(
  info: RunInfo,
  recording: Recording,
  extra: {
    readonly interrupted: boolean;
    readonly wallSeconds: number;
    readonly cancelled: number;
    readonly finalConcurrencyLimit: number | null;
    readonly simulator: SimulatorStats | undefined;
    readonly tasks?: { readonly completed: number; readonly failed: number };
  },
): Summary {
  const t = recording.totals;
  const share = (n: number) => (t.requests > 0 ? n / t.requests : 0);
  const calls = t.callsOk + t.callsFailed;
  const windows = recording.windows.filter((w) => w.policy === "inference");
  const used = windows.length > 0 ? windows : recording.windows;
  return {
    ...info,
    interrupted: extra.interrupted,
    elapsedSeconds: recording.elapsedSeconds,
    wallSeconds: extra.wallSeconds,
    calls: { completed: t.callsOk, failed: t.callsFailed, cancelled: extra.cancelled },
    ...(extra.tasks ? { tasks: extra.tasks } : {}),
    requests: {
      total: t.requests,
      ok: t.ok,
      status429: t.status429,
      status503: t.status503,
      otherErrors: t.otherErrors,
      perSecond: recording.elapsedSeconds > 0 ? t.requests / recording.elapsedSeconds : 0,
    },
    errorRate: {
      total: share(t.status429 + t.status503 + t.otherErrors),
      status429: share(t.status429),
      status503: share(t.status503),
    },
    retryRate: calls > 0 ? t.retries / calls : 0,
    retries: t.retries,
    latencyMs: recording.latencyMs,
    throttleWait: {
      totalSeconds: t.throttleWaitMs / 1000,
      perCallSeconds: calls > 0 ? t.throttleWaitMs / 1000 / calls : 0,
    },
    creditsUsd: t.creditsUsd,
    inFlight: { max: t.maxInFlight, governorLimit: extra.finalConcurrencyLimit },
    quota: {
      windows: used.length,
      limit: used.at(-1)?.quota ?? null,
      maxUsed: used.reduce((m, w) => Math.max(m, w.used), 0),
      overQuota: extra.simulator ? extra.simulator.overQuota : null,
    },
    providers: recording.providers,
  };
}
