// `pnpm bench`: runs every suite, i.e. every `bench/<name>/run.mjs`, in name order. A suite
// exports `async function run({ argv })`; `argv` is this command's arguments less `--only`.
//
//   node bench/run.mjs                       every suite
//   node bench/run.mjs --only core           one suite (repeat, or comma-separate, for more)
//   node bench/run.mjs --only core --rounds 1 --calls 50000
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const suites = readdirSync(here, { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isDirectory() && entry.name !== "node_modules" && existsSync(join(here, entry.name, "run.mjs")),
  )
  .map((entry) => entry.name)
  .sort();

const only = [];
const argv = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--only") {
    if (i + 1 >= args.length) throw new TypeError("Expected `--only` to be followed by a suite name");
    only.push(...args[++i].split(","));
  } else if (arg.startsWith("--only=")) only.push(...arg.slice("--only=".length).split(","));
  else argv.push(arg);
}
const unknown = only.filter((name) => !suites.includes(name));
if (unknown.length > 0)
  throw new TypeError(
    `Expected \`--only\` to name suites among ${suites.join(", ")}, got ${unknown.join(", ")}`,
  );

for (const name of only.length > 0 ? suites.filter((s) => only.includes(s)) : suites) {
  const suite = await import(pathToFileURL(join(here, name, "run.mjs")).href);
  if (typeof suite.run !== "function")
    throw new TypeError(`Expected bench/${name}/run.mjs to export a \`run\` function`);
  console.error(`\n# bench/${name}`);
  await suite.run({ argv });
}
