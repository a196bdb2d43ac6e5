// docs/simulator.md is the reference of the simulator's options and of where each default
// comes from: every option must have a row, and every undocumented behaviour an "off" source row.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "./resolve-options.js";

const doc = readFileSync(new URL("../../../docs/simulator.md", import.meta.url), "utf8");
const rows = doc.split("\n").filter((line) => line.startsWith("| "));

describe("docs/simulator.md", () => {
  it("has a row for every option", () => {
    const options = Object.keys(resolveOptions());
    const first = (row: string) => row.split("|")[1]?.trim();
    expect(options.filter((name) => !rows.some((row) => first(row) === `\`${name}\``))).toEqual([]);
  });

  it("names a source for each behaviour that is off by default, with the option that turns it on", () => {
    const off = rows.filter((row) => row.includes("| **off**"));
    for (const option of [
      "retryAfter",
      "inferenceRateLimitHeaders",
      "maxConcurrent",
      "bodyHint",
      "headerlessShare",
    ])
      expect(
        off.some((row) => row.includes(option)),
        option,
      ).toBe(true);
    for (const row of off) expect(row.split("|").filter((cell) => cell.trim() !== "")).toHaveLength(4);
  });
});
