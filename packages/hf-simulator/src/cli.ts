#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseCliArgs } from "./cli-args.js";
import { startSimulator } from "./server.js";

const HELP = `swarmgate-sim — a Hugging Face simulator (router, hf-inference, Hub API)

Usage: swarmgate-sim [options]

Options:
  --port <n>          port to listen on (default 0: a free port)
  --host <addr>       interface (default 127.0.0.1)
  --time-scale <x>    simulated ms per wall ms; 60 makes a 5-minute window last 5 s (default 1)
  --seed <n>          seed of all randomness (default 1)
  --tier <tier>       accept any hf_ token with this tier (free, pro, team, enterprise, enterprise-plus, academia)
  --quota <n>         inference requests per 5-minute window for every tier (default: no window)
  --config <file>     JSON file with any startSimulator options (flags override it)
  --help              show this help

Admin: GET /__sim/stats, POST /__sim/reset, POST /__sim/faults {"outage": true}
Runs until SIGINT or SIGTERM.`;

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
