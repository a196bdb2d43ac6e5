// Summarises a V8 .cpuprofile by self time: per package, then the hottest functions, with
// @swarmgate/core's built lines mapped back to src/*.ts through the source maps.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/core/measure.mjs --contender governor --calls 2000000
//   node bench/core/profile-summary.mjs /tmp/prof/CPU.*.cpuprofile [--top 30]
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" } },
});
if (positionals.length !== 1) throw new TypeError("Expected one .cpuprofile path");
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], "utf8"));

// Self time per node: sample i lasts until sample i + 1.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const root = fileURLToPath(new URL("../..", import.meta.url));
const maps = new Map();
function sourceOf(url, line, column) {
  if (!url.includes("/packages/core/dist/")) return undefined;
  const file = url.startsWith("file:") ? fileURLToPath(url) : url;
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null);
  }
  const entry = maps.get(file)?.findEntry(line, column);
  if (!entry?.originalSource) return undefined;
  const source = entry.originalSource.startsWith("file:")
    ? fileURLToPath(entry.originalSource)
    : entry.originalSource;
  return `${relative(root, resolve(dirname(file), source))}:${entry.originalLine + 1}`;
}

function packageOf(url) {
  if (!url) return "(native / VM)";
  if (url.includes("/packages/core/dist/")) return "@swarmgate/core";
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/);
  if (m) return m[1];
  if (url.startsWith("node:")) return "node internals";
  if (url.includes("/bench/")) return "bench harness";
  return url;
}

const byFunction = new Map();
const byPackage = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const where =
    sourceOf(url, lineNumber, columnNumber) ??
    `${url.replace(/^.*\/(node_modules|bench)\//, "$1/")}:${lineNumber + 1}`;
  const key = `${functionName || "(anonymous)"}  ${url ? where : ""}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg = node.callFrame.url ? packageOf(url) : functionName;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled\n\nSelf time by package:`);
for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(us)}  ${pkg}`);
console.log(`\nTop ${top} functions by self time:`);
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(us)}  ${key}`);
console.log("\n@swarmgate/core functions by self time:");
const own = [...byFunction].filter(([key]) => key.includes("packages/core/"));
for (const [key, us] of own.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${key}`);
