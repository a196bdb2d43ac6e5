import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { SimulatorOptions } from "./options.js";
import { TIERS, type Tier } from "./tiers.js";

/**
 * Parses the simulator's command-line flags (`swarmgate-sim`, `swarmgate simulate`) into
 * {@link SimulatorOptions}: `--port --host --time-scale --seed --tier --quota --config`;
 * `undefined` for `--help`. Throws a `TypeError` naming a bad flag.
 */
export function parseCliArgs(argv: readonly string[]): SimulatorOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "time-scale": { type: "string" },
      seed: { type: "string" },
      tier: { type: "string" },
      quota: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return undefined;
  let fromFile: SimulatorOptions = {};
  if (values.config !== undefined) {
    try {
      fromFile = JSON.parse(readFileSync(values.config, "utf8")) as SimulatorOptions;
    } catch (error) {
      throw new TypeError(`Cannot read \`--config\` ${values.config}: ${(error as Error).message}`);
    }
  }
  const number = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === "" || Number.isNaN(parsed))
      throw new TypeError(`Expected \`--${flag}\` to be a number, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const tier = values.tier;
  if (tier !== undefined && !TIERS.includes(tier as Tier))
    throw new TypeError(`Expected \`--tier\` to be one of ${TIERS.join(", ")}, got ${JSON.stringify(tier)}`);
  const port = number("port", values.port);
  const timeScale = number("time-scale", values["time-scale"]);
  const seed = number("seed", values.seed);
  const quota = number("quota", values.quota);
  if (quota !== undefined && (!Number.isInteger(quota) || quota < 0))
    throw new TypeError(`Expected \`--quota\` to be an integer ≥ 0, got ${JSON.stringify(values.quota)}`);
  return {
    ...fromFile,
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(timeScale === undefined ? {} : { timeScale }),
    ...(seed === undefined ? {} : { seed }),
    ...(tier === undefined ? {} : { acceptAnyToken: tier as Tier }),
    ...(quota === undefined
      ? {}
      : {
          quotas: Object.fromEntries(
            TIERS.map((t) => [t, { inference: quota }]),
          ) as SimulatorOptions["quotas"],
        }),
  };
}
