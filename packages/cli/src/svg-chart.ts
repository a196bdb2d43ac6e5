import { type AxisKind, niceAxis } from "./chart-ticks.js";
import { lineStyle, markerPath } from "./line-styles.js";

/** One line of a chart. */
export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  /** One per x; `null` leaves a gap. */
  readonly values: readonly (number | null)[];
}

/** Options of {@link lineChart}. */
export interface ChartOptions {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  /** x values (scenario seconds), one per point. */
  readonly xs: readonly number[];
  readonly series: readonly ChartSeries[];
  /** What the y values are, for the tick labels. @default "count" */
  readonly yKind?: AxisKind;
  /** Said instead of the chart when no series has a value. @default "No data in this run." */
  readonly empty?: string;
  /** A line under the title (where the data comes from). */
  readonly note?: string;
}

const W = 720;
const PLOT_H = 176;
const PAD = { left: 64, right: 16, bottom: 36 };
const LEGEND_ROW = 18;
const MARKERS_PER_LINE = 12;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Legend items laid out in rows that fit the width: x offset and row of each. */
function legendLayout(names: readonly string[]): { x: number; row: number }[] {
  const out: { x: number; row: number }[] = [];
  let x = PAD.left;
  let row = 0;
  for (const name of names) {
    const width = 40 + name.length * 6.6;
    if (x > PAD.left && x + width > W - PAD.right) {
      x = PAD.left;
      row++;
    }
    out.push({ x, row });
    x += width + 12;
  }
  return out;
}

/**
 * A line chart as inline SVG (no script, no network): 1-2-5 ticks labelled in the unit of
 * `yKind`, the time axis in s or min, one `<path>` per series carrying `data-series` and
 * `data-points`, each series in its own colour, dash pattern and marker shape (the first
 * drawn widest, so a line under another still shows), and a legend with the same styles.
 * With no value at all, the figure says so in text (`<p class="empty">`) instead.
 */
export function lineChart(o: ChartOptions): string {
  const caption = `<figcaption>${esc(o.title)} <span class="unit">(${esc(o.unit)})</span>${o.note ? `<span class="note">${esc(o.note)}</span>` : ""}</figcaption>`;
  const values = o.series.flatMap((s) =>
    s.values.filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  if (values.length === 0)
    return `<figure id="${esc(o.id)}" data-empty="true">${caption}<p class="empty">${esc(o.empty ?? "No data in this run.")}</p></figure>`;
  const legend = legendLayout(o.series.map((s) => s.name));
  const top = 16 + (Math.max(0, ...legend.map((l) => l.row)) + 1) * LEGEND_ROW;
  const H = top + PLOT_H + PAD.bottom;
  const xAxis = niceAxis(Math.max(...o.xs, 0), "time", { extend: false, count: 8 });
  const yAxis = niceAxis(Math.max(0, ...values), o.yKind ?? "count");
  const x = (v: number) => PAD.left + (v / xAxis.end) * (W - PAD.left - PAD.right);
  const y = (v: number) => top + PLOT_H - (Math.min(v, yAxis.end) / yAxis.end) * PLOT_H;
  const parts: string[] = [];
  yAxis.ticks.forEach((v, i) => {
    const yy = y(v).toFixed(1);
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${yy}" y2="${yy}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(yAxis.labels[i]!)}</text>`,
    );
  });
  xAxis.ticks.forEach((v, i) => {
    const xx = x(v).toFixed(1);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${top + PLOT_H}" y2="${top + PLOT_H + 4}" class="axis"/>`,
      `<text x="${xx}" y="${top + PLOT_H + 17}" text-anchor="middle" class="x">${esc(xAxis.labels[i]!)}</text>`,
    );
  });
  o.series.forEach((s, i) => {
    const style = lineStyle(i);
    let d = "";
    let pen = "M";
    const drawn: [number, number, boolean][] = [];
    s.values.forEach((v, j) => {
      const xv = o.xs[j];
      if (v === null || !Number.isFinite(v) || xv === undefined) {
        pen = "M";
        return;
      }
      const next = s.values[j + 1];
      // A point with no neighbour draws no line: it always gets its marker.
      const alone = pen === "M" && (next === null || next === undefined || !Number.isFinite(next));
      drawn.push([x(xv), y(v), alone]);
      d += `${pen}${x(xv).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = "L";
    });
    // Markers every `every` points, shifted per series so that equal lines show each one's.
    const every = Math.max(1, Math.ceil(drawn.length / MARKERS_PER_LINE));
    const offset = Math.floor((every * i) / Math.max(1, o.series.length)) % every;
    const marks = drawn.filter(([, , alone], j) => alone || j % every === offset);
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : "";
    const stroke = `stroke="${s.color}" stroke-width="${style.width}"`;
    const sample = legend[i]!;
    const ly = 12 + sample.row * LEGEND_ROW;
    parts.push(
      `<path d="${d.trim() || `M${PAD.left} ${y(0)}`}" fill="none" ${stroke}${dash} stroke-linejoin="round" data-series="${esc(s.name)}" data-points="${drawn.length}"/>`,
      `<path d="${marks.map(([mx, my]) => markerPath(style.marker, mx, my)).join("")}" class="marker" fill="${style.filled ? s.color : "#fff"}" stroke="${s.color}" stroke-width="1.4"/>`,
      `<g class="legend-item"><line x1="${sample.x}" x2="${sample.x + 28}" y1="${ly}" y2="${ly}" ${stroke}${dash}/>`,
      `<path d="${markerPath(style.marker, sample.x + 14, ly)}" fill="${style.filled ? s.color : "#fff"}" stroke="${s.color}" stroke-width="1.4"/>`,
      `<text x="${sample.x + 34}" y="${ly + 4}" class="legend">${esc(s.name)}</text></g>`,
    );
  });
  const axes = `<line x1="${PAD.left}" x2="${PAD.left}" y1="${top}" y2="${top + PLOT_H}" class="axis"/><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${top + PLOT_H}" y2="${top + PLOT_H}" class="axis"/>`;
  return `<figure id="${esc(o.id)}">${caption}<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}">${axes}${parts.join("")}</svg></figure>`;
}

export { esc as escapeHtml };
