#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { SimulatorOptions } from "./options.js";
import { startSimulator } from "./server.js";
import type { Tier } from "./tiers.js";

const HELP = `swarmgate-sim — a Hugging Face simulator (router, hf-inference, Hub API)

Usage: swarmgate-sim [options]

Options:
  --port <n>          port to listen on (default 0: a free port)
  --host <addr>       interface (default 127.0.0.1)
  --time-scale <x>    simulated ms per wall ms; 60 makes a 5-minute window last 5 s (default 1)
  --seed <n>          seed of all randomness (default 1)
  --tier <tier>       accept any hf_ token as free|pro|team|enterprise (default: only hf_test_<tier> tokens)
  --config <file>     JSON file with any startSimulator options (flags override it)
  --help              show this help

Admin: GET /__sim/stats, POST /__sim/reset, POST /__sim/faults {"outage": true}
Runs until SIGINT or SIGTERM.`;

/** Parses argv into simulator options; `undefined` for --help. Exported for tests. */
export function parseCliArgs(argv: readonly string[]): SimulatorOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "time-scale": { type: "string" },
      seed: { type: "string" },
      tier: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const fromFile: SimulatorOptions = values.config ? JSON.parse(readFileSync(values.config, "utf8")) : {};
  const number = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === "" || Number.isNaN(parsed))
      throw new TypeError(`Expected \`--${flag}\` to be a number, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const port = number("port", values.port);
  const timeScale = number("time-scale", values["time-scale"]);
  const seed = number("seed", values.seed);
  return {
    ...fromFile,
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(timeScale === undefined ? {} : { timeScale }),
    ...(seed === undefined ? {} : { seed }),
    ...(values.tier === undefined ? {} : { acceptAnyToken: values.tier as Tier }),
  };
}

async function main(): Promise<void> {
  const options = parseCliArgs(process.argv.slice(2));
  if (!options) {
    console.log(HELP);
    return;
  }
  const simulator = await startSimulator(options);
  console.log(`swarmgate-sim listening on ${simulator.url}`);
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

// Run only as a program (bin symlinks resolved), not when a test imports parseCliArgs.
const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
