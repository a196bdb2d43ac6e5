// `pnpm bench --only redact`: what `redact()` costs on a 1 KB message (an error body, a
// stack) with 1, 10 and 100 registered secrets, with and without an echoed part of one, and
// `redactError()` on an error with a cause. Medians of rounds, in µs per call.
//
//   node bench/run.mjs --only redact [--rounds 7] [--calls 20000]
import { randomBytes } from "node:crypto";
import { redact, redactError, registerSecret } from "@swarmgate/core";
import { integerOption, median } from "../support.mjs";

const token = () => `hf_${randomBytes(26).toString("base64url").slice(0, 34)}`;

function option(argv, name, fallback, min) {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : integerOption(name, argv[i + 1], min);
}

function microsPerCall(fn, calls, rounds) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1_000 / calls);
  }
  return median(samples);
}

export async function run({ argv }) {
  const rounds = option(argv, "rounds", 7, 1);
  const calls = option(argv, "calls", 20_000, 1);
  const filler = "upstream error: the provider answered 500 while serving the request; ".repeat(15);
  const clean = filler.slice(0, 1024);
  const secrets = [];
  const rows = [];
  for (const count of [1, 10, 100]) {
    while (secrets.length < count) {
      const s = token();
      secrets.push(s);
      registerSecret(s);
    }
    const echo = `${clean.slice(0, 1000)}${secrets[0].slice(-12)}`.slice(-1024);
    rows.push({
      secrets: count,
      clean: microsPerCall(() => redact(clean), calls, rounds),
      echo: microsPerCall(() => redact(echo), calls, rounds),
      error: microsPerCall(
        () => {
          const e = new Error(echo, { cause: new Error(clean) });
          redactError(e);
        },
        Math.max(1, calls >> 2),
        rounds,
      ),
    });
  }
  console.log(
    `redact() of a 1 KB message, µs per call (median of ${rounds} rounds of ${calls}), Node ${process.version}`,
  );
  console.log(
    "| registered secrets | no secret in it | 12-char echo of one | redactError(error + cause, stacks) |",
  );
  console.log("| -: | -: | -: | -: |");
  for (const r of rows)
    console.log(`| ${r.secrets} | ${r.clean.toFixed(2)} | ${r.echo.toFixed(2)} | ${r.error.toFixed(2)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ argv: process.argv.slice(2) });
