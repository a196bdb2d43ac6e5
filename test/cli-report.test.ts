import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli, tempDir } from "./cli-support.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
// On CI a missing browser is a failure, not a skip (.ci/run installs Debian's chromium).
const maybe = available || process.env.CI ? it : it.skip;

beforeAll(ensureBuilt, 120_000);

describe("the HTML report in headless Chromium", () => {
  maybe("renders its charts with data points and no console error", async () => {
    expect(available, `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    const cwd = tempDir();
    const run = await runCli(
      ["loadtest", "--concurrency", "25", "--duration", "3m", "--ungoverned", "--report", "report.html"],
      { cwd },
    );
    expect(run.code).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(e.message));
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(join(cwd, "report.html")).href, { waitUntil: "load" });
      for (const id of ["throughput", "concurrency", "errors", "latency"]) {
        const box = await page.locator(`#${id} svg`).boundingBox();
        expect(box?.width, id).toBeGreaterThan(100);
        expect(box?.height, id).toBeGreaterThan(50);
      }
      const paths = await page.$$eval("svg path[data-series]", (els) =>
        els.map((el) => ({
          series: el.getAttribute("data-series"),
          points: Number(el.getAttribute("data-points")),
          length: (el as unknown as { getTotalLength(): number }).getTotalLength(),
        })),
      );
      const requestsLine = paths.find((p) => p.series === "requests");
      expect(requestsLine?.points).toBeGreaterThan(10);
      expect(requestsLine?.length).toBeGreaterThan(100);
      expect(paths.find((p) => p.series === "429")?.points).toBeGreaterThan(10);
      expect(paths.find((p) => p.series === "p95")?.points).toBeGreaterThan(10);
      expect(await page.locator("#summary tr").count()).toBeGreaterThan(8);
      await page.screenshot({ path: join(cwd, "report.png"), fullPage: true });
      expect(existsSync(join(cwd, "report.png"))).toBe(true);
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  maybe(
    "draws every one of its eight charts for a governed run that retries, waits and spends a budget",
    async () => {
      const cwd = tempDir();
      const run = await runCli(
        [
          "loadtest",
          "--concurrency",
          "25",
          "--duration",
          "3m",
          "--quota",
          "200",
          "--provider-limit",
          "together=60",
          "--budget",
          "5",
          "--report",
          "report.html",
        ],
        { cwd },
      );
      expect(run.code).toBe(0);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu"],
      });
      try {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(join(cwd, "report.html")).href, { waitUntil: "load" });
        const charts = await page.$$eval("figure", (figures) =>
          figures.map((f) => ({
            id: f.id,
            empty: f.getAttribute("data-empty"),
            lines: [...f.querySelectorAll("svg path[data-series]")].map((el) => ({
              series: el.getAttribute("data-series"),
              points: Number(el.getAttribute("data-points")),
              length: (el as unknown as { getTotalLength(): number }).getTotalLength(),
            })),
          })),
        );
        expect(charts.map((c) => c.id)).toEqual([
          "throughput",
          "concurrency",
          "errors",
          "latency",
          "retries",
          "waits",
          "throttles",
          "credits",
        ]);
        for (const chart of charts) {
          expect(chart.empty, chart.id).toBeNull();
          expect(chart.lines.length, chart.id).toBeGreaterThan(0);
          expect(Math.max(...chart.lines.map((l) => l.points)), chart.id).toBeGreaterThan(10);
          expect(Math.max(...chart.lines.map((l) => l.length)), chart.id).toBeGreaterThan(100);
        }
        // `--budget 5`: the credits chart draws what is left of it beside what was spent.
        const credits = charts.find((c) => c.id === "credits")?.lines ?? [];
        expect(credits.map((l) => l.series)).toEqual(["spent (cumulative)", "remaining"]);
        expect(credits.find((l) => l.series === "remaining")?.points).toBeGreaterThan(10);
        const ticks = await page.$$eval("svg text", (els) => els.map((el) => el.textContent ?? ""));
        expect(ticks.filter((t) => /k ms/.test(t))).toEqual([]);
        expect(ticks).toContain("3 min");
      } finally {
        await browser.close();
      }
    },
  );
});
