/** `1h02m03s`, `2m05s`, `4.2s`: a duration of scenario time for people. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h${pad(m)}m${pad(s)}s` : `${m}m${pad(s)}s`;
}

/** `12.3%` of a ratio; `–` when undefined. */
export function formatPercent(ratio: number | undefined, digits = 1): string {
  return ratio === undefined || !Number.isFinite(ratio) ? "–" : `${(ratio * 100).toFixed(digits)}%`;
}

/** `$0.0123` */
export function formatUsd(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** `1,234` */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `850 ms`, `12.4 s` */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
