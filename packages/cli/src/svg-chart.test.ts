import { describe, expect, it } from "vitest";
import { lineChart } from "./svg-chart.js";

const attrs = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`${name}="([^"]*)"`, "g"))].map((m) => m[1]);

describe("lineChart", () => {
  it("says in text that a chart has no data instead of drawing empty axes", () => {
    const html = lineChart({
      id: "retries",
      title: "Retries",
      unit: "per second",
      xs: [0, 1, 2],
      series: [{ name: "a", color: "#000", values: [null, null, null] }],
      empty: "No request was retried in this run.",
    });
    expect(html).toContain('data-empty="true"');
    expect(html).toContain('<p class="empty">No request was retried in this run.</p>');
    expect(html).not.toContain("<svg");
    expect(lineChart({ id: "x", title: "X", unit: "u", xs: [], series: [] })).toContain(
      "No data in this run.",
    );
  });

  it("draws each series in its own colour, dash pattern and width, with the same styles in the legend", () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const series = ["a", "b", "c", "d"].map((name, i) => ({
      name,
      color: ["#111", "#222", "#333", "#444"][i]!,
      values: xs.map(() => 5), // four equal lines, one over the other
    }));
    const html = lineChart({ id: "same", title: "Same", unit: "u", xs, series });
    const lines = [
      ...html.matchAll(/<path d="[^"]*" fill="none" ([^>]*)data-series="(\w)" data-points="(\d+)"/g),
    ];
    expect(lines.map((m) => [m[2], Number(m[3])])).toEqual([
      ["a", 40],
      ["b", 40],
      ["c", 40],
      ["d", 40],
    ]);
    const looks = lines.map((m) => m[1]!.replace(/stroke="#\d+"/, ""));
    expect(new Set(looks).size).toBe(4);
    expect(Number(/stroke-width="([\d.]+)"/.exec(lines[0]![1]!)![1])).toBeGreaterThan(
      Number(/stroke-width="([\d.]+)"/.exec(lines[3]![1]!)![1]),
    );
    // Markers sit at different points per series, so equal lines still show each one.
    const markers = [...html.matchAll(/<path d="([^"]*)" class="marker"/g)].map((m) => m[1]!.split("M")[1]);
    expect(new Set(markers).size).toBe(4);
    expect(html.match(/class="legend-item"/g)).toHaveLength(4);
    expect(attrs(html, "stroke-dasharray")).toEqual(["8 4", "8 4", "2 3", "2 3", "10 3 2 3", "10 3 2 3"]);
  });

  it("labels a duration axis in seconds and the time axis in minutes", () => {
    const xs = Array.from({ length: 60 }, (_, i) => i * 4); // 0 … 236 s
    // 49 points, a gap, one lone point at 232 s, a gap.
    const values = xs.map((_, i) => (i < 49 ? 1_200 + i * 10 : i === 58 ? 18_800 : null));
    const html = lineChart({
      id: "latency",
      title: "Latency",
      unit: "scenario time",
      yKind: "ms",
      xs,
      series: [{ name: "p95", color: "#000", values }],
    });
    const labels = [...html.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual([
      "0 s",
      "5 s",
      "10 s",
      "15 s",
      "20 s",
      "0 min",
      "0.5 min",
      "1 min",
      "1.5 min",
      "2 min",
      "2.5 min",
      "3 min",
      "3.5 min",
      "p95",
    ]);
    expect(html).not.toMatch(/k ms/);
    // Every fifth point has a marker (0, 20, … 180 s); the lone point has one too.
    const marker = /<path d="([^"]*)" class="marker"/.exec(html)![1]!;
    const centres = marker
      .split("M")
      .filter(Boolean)
      .map((m) => Number(m.split(" ")[0]) + 3.5);
    expect(centres).toHaveLength(11);
    expect(centres.at(-1)).toBeCloseTo(64 + (232 / 236) * (720 - 64 - 16), 0);
  });
});
