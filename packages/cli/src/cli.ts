#!/usr/bin/env node
import { redact } from "@swarmgate/core";
import { UsageError } from "./args.js";
import { demo } from "./commands/demo.js";
import { loadtest } from "./commands/loadtest.js";
import { plan } from "./commands/plan.js";
import { simulate } from "./commands/simulate.js";
import { VERSION } from "./version.js";

const USAGE = `swarmgate ${VERSION} — governed, observable Hugging Face inference for swarms of AI agents

Usage: swarmgate <command> [options]

Commands:
  demo        a swarm of LangChain agents through the governor, with a live view and a report
  loadtest    the seed's load-test scenarios (or your own) against the simulator, a URL or HF
  simulate    the Hugging Face simulator as a long-running server for your own tests
  plan        does a swarm fit a tier? concurrency, ramp, dedicated endpoints, cost

Run \`swarmgate <command> --help\` for a command's options.
Exit codes: 0 done, 1 failure, 2 usage error, 130 interrupted.`;

const commands: Record<string, (argv: readonly string[]) => Promise<number>> = {
  demo,
  loadtest,
  simulate,
  plan,
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    if (command === undefined) {
      console.error(USAGE);
      return 2;
    }
    console.log(USAGE);
    return 0;
  }
  if (command === "--version" || command === "-v") {
    console.log(VERSION);
    return 0;
  }
  const run = commands[command];
  if (!run) throw new UsageError(`Unknown command ${JSON.stringify(command)}`, USAGE);
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`swarmgate: ${redact(error.message)}\n\n${error.usage}`);
      process.exitCode = 2;
      return;
    }
    // An error from the target may quote what it echoed of the token.
    console.error(`swarmgate: ${redact(error instanceof Error ? error.message : String(error))}`);
    process.exitCode = 1;
  },
);
