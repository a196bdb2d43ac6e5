/** One line of a chart. */
export interface ChartSeries {
  readonly name: string;
  readonly color: string;
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
}

const W = 720;
const H = 240;
const PAD = { left: 56, right: 16, top: 28, bottom: 36 };

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 2.5, 5, 10].map((m) => m * pow).find((m) => m >= max) ?? 10 * pow) as number;
}

function label(n: number): string {
  return Math.abs(n) >= 1000 ? `${(n / 1000).toFixed(n % 1000 === 0 ? 0 : 1)}k` : String(+n.toFixed(2));
}

/**
 * A line chart as inline SVG (no script, no network): axes with ticks, one `<path>` per
 * series carrying `data-series` and `data-points`, and a legend.
 */
export function lineChart(o: ChartOptions): string {
  const xMax = Math.max(1, ...o.xs);
  const yMax = niceMax(
    Math.max(0, ...o.series.flatMap((s) => s.values.filter((v): v is number => v !== null))),
  );
  const x = (v: number) => PAD.left + (v / xMax) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${label(v)}</text>`,
    );
    const xv = (xMax * i) / 4;
    parts.push(
      `<text x="${x(xv).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${label(Math.round(xv))}s</text>`,
    );
  }
  o.series.forEach((s, i) => {
    let d = "";
    let points = 0;
    let pen = "M";
    s.values.forEach((v, j) => {
      const xv = o.xs[j];
      if (v === null || xv === undefined) {
        pen = "M";
        return;
      }
      d += `${pen}${x(xv).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = "L";
      points++;
    });
    parts.push(
      `<path d="${d.trim() || `M${PAD.left} ${y(0)}`}" fill="none" stroke="${s.color}" stroke-width="1.8" data-series="${esc(s.name)}" data-points="${points}"/>`,
      `<rect x="${PAD.left + 8 + i * 150}" y="8" width="12" height="3" fill="${s.color}"/>`,
      `<text x="${PAD.left + 24 + i * 150}" y="13" class="legend">${esc(s.name)}</text>`,
    );
  });
  return `<figure id="${esc(o.id)}"><figcaption>${esc(o.title)} <span class="unit">(${esc(o.unit)})</span></figcaption><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}"><line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" class="axis"/><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" class="axis"/>${parts.join("")}</svg></figure>`;
}

export { esc as escapeHtml };
