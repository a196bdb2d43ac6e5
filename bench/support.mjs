// Shared by the suites that measure in child processes (bench/core, bench/otel).
import { spawn } from "node:child_process";

/** Parses `--name <raw>` as an integer ≥ `min`, or throws a TypeError naming the flag. */
export function integerOption(name, raw, min) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new TypeError(`Expected \`--${name}\` to be an integer ≥ ${min}, got ${raw}`);
  return n;
}

/**
 * Runs one measurement in a fresh Node process (`node --expose-gc script ...args`) and
 * returns the JSON object on the last line of its stdout.
 */
export function measureInChild(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", script, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) reject(new Error(`${script} ${args.join(" ")} exited with ${signal ?? code}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()));
    });
  });
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
