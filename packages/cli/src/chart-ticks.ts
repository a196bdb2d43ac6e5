/**
 * What the numbers on a chart axis are: a count or rate (`1.2k`), a duration in ms
 * (`200 ms`, `20 s`, `2 min`, `2 h`), US dollars (`$0.002`), or scenario seconds on the time
 * axis (`30 s`, `2 min`).
 */
export type AxisKind = "count" | "ms" | "usd" | "time";

/** An axis from 0: its end, its ticks (increasing, from 0 to at most `end`) and their labels. */
export interface Axis {
  readonly end: number;
  readonly ticks: readonly number[];
  readonly labels: readonly string[];
}

interface Unit {
  readonly scale: number;
  readonly suffix: string;
}

const MS_UNITS: readonly (Unit & { readonly below: number })[] = [
  { scale: 1, suffix: " ms", below: 1_000 },
  { scale: 1_000, suffix: " s", below: 120_000 },
  { scale: 60_000, suffix: " min", below: 7_200_000 },
  { scale: 3_600_000, suffix: " h", below: Number.POSITIVE_INFINITY },
];

/** The smallest step of 1, 2 or 5 × 10ⁿ that is at least `raw`. */
export function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * pow >= raw * (1 - 1e-9)) return m * pow;
  return 10 * pow;
}

const decimalsOf = (step: number) => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
// toFixed, not String(), so that a small step never prints as `2e-7`.
function trim(v: number, decimals: number): string {
  const fixed = v.toFixed(Math.min(decimals, 20));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

function unitOf(kind: AxisKind, max: number): Unit {
  if (kind === "ms" || kind === "time") {
    const ms = kind === "time" ? max * 1000 : max;
    // The time axis speaks in seconds at least: a run is never charted in ms.
    const unit = MS_UNITS.find((u) => ms < u.below && (kind === "ms" || u.scale >= 1_000))!;
    return { scale: kind === "time" ? unit.scale / 1000 : unit.scale, suffix: unit.suffix };
  }
  return { scale: 1, suffix: "" };
}

function countLabel(v: number, step: number): string {
  if (v >= 1e6) return `${trim(v / 1e6, decimalsOf(step / 1e6))}M`;
  if (v >= 1e3) return `${trim(v / 1e3, decimalsOf(step / 1e3))}k`;
  return trim(v, decimalsOf(step));
}

/**
 * A readable axis from 0 for values up to `max`: about `count` ticks at a 1-2-5 step in
 * the unit the labels speak (a duration of 18,800 ms gets ticks in seconds, never
 * "18.8k ms"). `extend` (the value axis) ends on the first tick at or past `max`; without
 * it (the time axis) the axis ends at `max` and the ticks stop before it. A `max` that is
 * not a positive number gets the axis of 1 (of the kind's unit).
 */
export function niceAxis(
  max: number,
  kind: AxisKind,
  options: { extend?: boolean; count?: number } = {},
): Axis {
  const extend = options.extend ?? true;
  const count = options.count ?? 5;
  const unit0 = unitOf(kind, Number.isFinite(max) && max > 0 ? max : 0);
  const top = Number.isFinite(max) && max > 0 ? max : unit0.scale * (kind === "usd" ? 0.01 : 1);
  const unit = unitOf(kind, top);
  const span = top / unit.scale;
  const step = niceStep(span / count);
  const n = extend ? Math.ceil(span / step - 1e-9) : Math.floor(span / step + 1e-9);
  const decimals = decimalsOf(step);
  const values = Array.from({ length: n + 1 }, (_, i) => +(i * step).toFixed(Math.min(decimals, 20)));
  const label = (v: number) =>
    kind === "count"
      ? countLabel(v, step)
      : kind === "usd"
        ? `$${trim(v, decimals)}`
        : `${trim(v, decimals)}${unit.suffix}`;
  const ticks = values.map((v) => v * unit.scale);
  return {
    end: extend ? ticks.at(-1)! : top,
    ticks,
    labels: values.map(label),
  };
}
