import { parseCliArgs, type SimulatorOptions, startSimulator } from "@swarmgate/hf-simulator";
import { UsageError } from "../args.js";

export const SIMULATE_USAGE = `Usage: swarmgate simulate [options]

Runs the Hugging Face simulator (router, hf-inference, Hub API: quotas, RateLimit headers,
429/503/402, cold starts, time compression) until Ctrl-C or SIGTERM. Point your code at the
URL it prints (e.g. GovernedInferenceClient's \`baseUrl\`), or run
\`swarmgate loadtest --url <URL> --time-scale <x>\` against it.

Options:
  --port <n>          port (default 0: a free one)
  --host <addr>       interface (default 127.0.0.1)
  --time-scale <x>    simulated ms per wall ms; 60 makes a 5-minute window last 5 s (default 1)
  --seed <n>          seed of all randomness (default 1)
  --tier <tier>       accept any hf_ token with this tier: free|pro|team|enterprise|enterprise-plus|academia
  --quota <n>         inference requests per 5-minute window for every tier (default: no window)
  --config <file>     JSON file of startSimulator options (flags override it)
  --help              show this help

Admin: GET /__sim/stats, POST /__sim/reset, POST /__sim/faults {"outage": true}`;

/** `swarmgate simulate`: the simulator's own flags (`parseCliArgs`), with usage errors. */
export async function simulate(argv: readonly string[]): Promise<number> {
  const u = SIMULATE_USAGE;
  let options: SimulatorOptions | undefined;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    // parseArgs rejects unknown flags with a TypeError too: every one is a usage error.
    throw new UsageError((error as Error).message, u);
  }
  if (!options) {
    console.log(u);
    return 0;
  }
  const tier = options.acceptAnyToken || undefined;
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator(options);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message, u);
    throw error;
  }
  console.log(`swarmgate simulate listening on ${simulator.url}`);
  console.log(
    `  tokens: hf_test_<tier> for free, pro, team, enterprise, enterprise-plus, academia${tier ? ` (and any hf_ token as ${tier})` : ""}`,
  );
  console.log(`  stats:  ${simulator.url}/__sim/stats`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await simulator.close();
  console.log("swarmgate simulate stopped");
  return 0;
}
