import { readFileSync } from "node:fs";
import { type SimulatorOptions, startSimulator, type Tier } from "@swarmgate/hf-simulator";
import { choiceFlag, numberFlag, parseFlags, UsageError } from "../args.js";

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
  --tier <tier>       accept any hf_ token as free|pro|team|enterprise (default: only hf_test_<tier>)
  --quota <n>         inference requests per 5-minute window for every tier (default: per tier)
  --config <file>     JSON file of startSimulator options (flags override it)
  --help              show this help

Admin: GET /__sim/stats, POST /__sim/reset, POST /__sim/faults {"outage": true}`;

const TIERS = ["free", "pro", "team", "enterprise"] as const;

/** `swarmgate simulate`. */
export async function simulate(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      port: { type: "string" },
      host: { type: "string" },
      "time-scale": { type: "string" },
      seed: { type: "string" },
      tier: { type: "string" },
      quota: { type: "string" },
      config: { type: "string" },
    },
    SIMULATE_USAGE,
  );
  if (values.help) {
    console.log(SIMULATE_USAGE);
    return 0;
  }
  const u = SIMULATE_USAGE;
  let fromFile: SimulatorOptions = {};
  if (values.config !== undefined) {
    try {
      fromFile = JSON.parse(readFileSync(values.config, "utf8")) as SimulatorOptions;
    } catch (error) {
      throw new UsageError(`Cannot read \`--config\` ${values.config}: ${(error as Error).message}`, u);
    }
  }
  const port = numberFlag("port", values.port, u, { integer: true });
  const timeScale = numberFlag("time-scale", values["time-scale"], u, { min: 0, exclusiveMin: true });
  const seed = numberFlag("seed", values.seed, u, { integer: true });
  const tier: Tier | undefined = choiceFlag("tier", values.tier, TIERS, u);
  const quota = numberFlag("quota", values.quota, u, { integer: true });
  const options: SimulatorOptions = {
    ...fromFile,
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(timeScale === undefined ? {} : { timeScale }),
    ...(seed === undefined ? {} : { seed }),
    ...(tier === undefined ? {} : { acceptAnyToken: tier }),
    ...(quota === undefined
      ? {}
      : {
          quotas: Object.fromEntries(
            TIERS.map((t) => [t, { inference: quota }]),
          ) as SimulatorOptions["quotas"],
        }),
  };
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator(options);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message, u);
    throw error;
  }
  console.log(`swarmgate simulate listening on ${simulator.url}`);
  console.log(
    `  tokens: hf_test_free, hf_test_pro, hf_test_team, hf_test_enterprise${tier ? ` (and any hf_ token as ${tier})` : ""}`,
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
