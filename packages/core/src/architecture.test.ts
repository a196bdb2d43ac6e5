import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The shape the composable-policies design promises: small files, and an import graph with
// no cycle (CallInfo, isPromise and the other shared pieces sit at its bottom).
const root = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/\.test(-support)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

const files = sources(root);
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:import|export)[^;]*?from\s+"(\.{1,2}\/[^"]+)\.js"/g)].map((m) =>
      resolve(dirname(file), `${m[1]}.ts`),
    );
    return [file, targets] as const;
  }),
);

describe("@swarmgate/core's sources", () => {
  it("are read (the checks below see every file)", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.map((f) => relative(root, f))).toContain(join("policies", "retry.ts"));
    expect(imports.get(join(root, "call.ts"))).toContain(join(root, "call-context.ts"));
    expect(imports.get(join(root, "policies", "quota.ts"))).toContain(join(root, "quota-gate.ts"));
  });

  it("have no file over 250 lines", () => {
    const long = files
      .map((f) => [relative(root, f), readFileSync(f, "utf8").split("\n").length - 1] as const)
      .filter(([, lines]) => lines > 250);
    expect(long).toEqual([]);
  });

  it("import each other without a cycle", () => {
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
