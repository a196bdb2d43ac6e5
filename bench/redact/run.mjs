// `pnpm bench --only redact`: what `redact()` costs on a 1 KB message (an error body, a
// stack) with 1, 10 and 100 registered secrets, with and without an echoed part of one, and
// `redactError()` on an error with a cause. Medians of rounds, in µs per call.
//
//   node bench/run.mjs --only redact [--rounds 7] [--calls 20000]
import { randomBytes } from "node:crypto";
import { redact, redactError, registerSecret } from "@swarmgate/core";
import { integerOption, median } from "../support.mjs";

// The redaction this one replaced: whole registered secrets only, then the same patterns.
const patterns = [
  /\bhf_[A-Za-z0-9]{8,}\b/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}\b/g,
];
function wholeSecretsOnly(text, secrets) {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  for (const pattern of patterns) out = out.replace(pattern, "[REDACTED]");
  return out;
}

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
    const error = new Error(echo, { cause: new Error(clean) });
    rows.push({
      secrets: count,
      before: microsPerCall(() => wholeSecretsOnly(clean, secrets), calls, rounds),
      clean: microsPerCall(() => redact(clean), calls, rounds),
      echo: microsPerCall(() => redact(echo), calls, rounds),
      error: microsPerCall(() => redactError(error), calls, rounds),
    });
  }
  // Memory per registered secret, when the GC can be asked to run (node --expose-gc).
  let perSecretKb;
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) registerSecret(token());
    globalThis.gc();
    perSecretKb = (process.memoryUsage().heapUsed - before) / 10_000 / 1024;
  }
  console.log(
    `redact() of a 1 KB message, µs per call (median of ${rounds} rounds of ${calls}), Node ${process.version}`,
  );
  console.log(
    "| registered secrets | whole secrets only (before) | no secret in it | 12-char echo of one | redactError (message, stack, a cause) |",
  );
  console.log("| -: | -: | -: | -: | -: |");
  for (const r of rows)
    console.log(
      `| ${r.secrets} | ${r.before.toFixed(2)} | ${r.clean.toFixed(2)} | ${r.echo.toFixed(2)} | ${r.error.toFixed(2)} |`,
    );
  if (perSecretKb !== undefined)
    console.log(`memory: ${perSecretKb.toFixed(1)} KB per registered secret (10,000 registered)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ argv: process.argv.slice(2) });
