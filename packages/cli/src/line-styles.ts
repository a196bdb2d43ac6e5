/** A marker drawn on a line every few points. */
export type MarkerShape = "circle" | "square" | "triangle" | "diamond" | "cross" | "bar";

/** How the `index`-th series of a chart is drawn, besides its colour. */
export interface LineStyle {
  /** `stroke-dasharray`; empty for a solid line. */
  readonly dash: string;
  readonly width: number;
  readonly marker: MarkerShape;
  readonly filled: boolean;
}

// The first series is solid and widest (drawn first, under the others); the next ones are
// thinner and dashed, so the lines under them show through their gaps.
const STYLES: readonly LineStyle[] = [
  { dash: "", width: 3.2, marker: "circle", filled: true },
  { dash: "8 4", width: 2.2, marker: "square", filled: false },
  { dash: "2 3", width: 2, marker: "triangle", filled: true },
  { dash: "10 3 2 3", width: 1.8, marker: "diamond", filled: false },
  { dash: "5 2", width: 1.6, marker: "cross", filled: false },
  { dash: "1 2", width: 1.6, marker: "bar", filled: true },
];

/** The style of the `index`-th series (they repeat after six, with the colours differing). */
export function lineStyle(index: number): LineStyle {
  return STYLES[index % STYLES.length]!;
}

/** An SVG path of `shape` centred on (x, y), about 7 px across. */
export function markerPath(shape: MarkerShape, x: number, y: number): string {
  const r = 3.5;
  const p = (dx: number, dy: number) => `${(x + dx).toFixed(1)} ${(y + dy).toFixed(1)}`;
  switch (shape) {
    case "circle":
      return `M${p(-r, 0)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0Z`;
    case "square":
      return `M${p(-r, -r)}h${2 * r}v${2 * r}h${-2 * r}Z`;
    case "triangle":
      return `M${p(0, -r - 0.5)}L${p(r + 0.5, r)}L${p(-r - 0.5, r)}Z`;
    case "diamond":
      return `M${p(0, -r - 0.5)}L${p(r + 0.5, 0)}L${p(0, r + 0.5)}L${p(-r - 0.5, 0)}Z`;
    case "cross":
      return `M${p(-r, -r)}L${p(r, r)}M${p(r, -r)}L${p(-r, r)}`;
    case "bar":
      return `M${p(-1, -r - 0.5)}h2v${2 * r + 1}h-2Z`;
  }
}
