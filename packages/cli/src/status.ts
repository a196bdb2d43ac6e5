import type { LiveStatus } from "./live-view.js";
import type { Recorder } from "./recorder.js";

/** The live view's status from a recorder. */
export function statusOf(
  recorder: Recorder,
  title: string,
  totalSeconds: number,
  extra: Pick<LiveStatus, "tasks"> = {},
): LiveStatus {
  const r = recorder.snapshot();
  const t = r.totals;
  const windows = r.windows.filter((w) => w.policy === "inference");
  const current = recorder.quota.current("inference") ?? recorder.quota.current();
  return {
    title,
    elapsedSeconds: r.elapsedSeconds,
    totalSeconds,
    calls: { ok: t.callsOk, failed: t.callsFailed },
    ...extra,
    requests: t.requests,
    status429: t.status429,
    status503: t.status503,
    retries: t.retries,
    ...(current ? { quota: { used: current.used, quota: current.quota, windows: windows.length } } : {}),
    concurrencyLimit: r.series.at(-1)?.concurrencyLimit ?? null,
    inFlight: recorder.inFlight,
    creditsUsd: t.creditsUsd,
  };
}
