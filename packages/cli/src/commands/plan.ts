import type { HuggingFaceTier } from "@swarmgate/core";
import { choiceFlag, numberFlag, parseFlags, UsageError } from "../args.js";
import { plan as computePlan, type PlanResult } from "../plan.js";

export const PLAN_USAGE = `Usage: swarmgate plan --agents <n> --calls-per-minute <x> [--tier pro] [options]

Does a swarm fit a Hugging Face tier? The seed research's guidance made quantitative:
requests per 5-minute window against the tier's inference quota, the concurrency and ramp
to use, when to move to a dedicated Inference Endpoint, and the monthly cost.

Options:
  --agents <n>              agents in the swarm (required)
  --calls-per-minute <x>    model calls per agent per minute (required)
  --tier <tier>             free|pro|team|enterprise (default pro)
  --latency <s>             seconds per model call (default 2)
  --input-tokens <n>        prompt tokens per call (default 500)
  --output-tokens <n>       completion tokens per call (default 200)
  --model <id>              priced from swarmgate's example price book (default meta-llama/Llama-3.1-8B-Instruct)
  --hours-per-day <h>       hours a day the swarm runs, 30 days a month (default 8)
  --json                    print the plan as JSON
  --help                    show this help

Inference quotas per window are swarmgate's assumptions (free 300, pro/team 1,500,
enterprise 3,000): Hugging Face publishes none, and the governor learns the real one from
the RateLimit headers. Prices are examples; endpoint prices are the seed's.`;

const TIERS = ["free", "pro", "team", "enterprise"] as const;

/** The plan as text. */
export function formatPlan(p: PlanResult): string {
  const i = p.input;
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const lines = [
    `swarmgate plan — ${i.agents} agents × ${i.callsPerMinute} calls/min on ${i.tier}`,
    "",
    `  demand          ${Math.round(p.demand.perMinute)} calls/min, ${Math.round(p.demand.perWindow)} per 5-min window (${p.swarmClass} swarm)`,
    `  ${`${i.tier} window`.padEnd(14)}  ${p.quota.perWindow} inference requests → ${Math.round(p.quota.utilization * 100)} % used: ${p.verdict.toUpperCase().replaceAll("-", " ")}`,
    `  concurrency     start ${p.concurrency.initial}, ramp to ${p.concurrency.max} over ${p.concurrency.rampSeconds} s (≈ ${p.concurrency.averageInFlight.toFixed(1)} in flight at ${i.latencySeconds} s/call)`,
    `  dedicated       ${p.dedicatedEndpoint.recommended ? "recommended" : "not needed"}`,
    `  cost / month    ${Math.round(p.cost.callsPerMonth).toLocaleString("en-US")} calls, usage ${usd(p.cost.usageUsd)}, serverless total ${usd(p.cost.serverlessTotalUsd)}`,
    ...p.cost.endpoints.map(
      (e) =>
        `                  endpoint ${e.gpu.padEnd(12)} ${usd(e.monthlyUsd)} at ${i.hoursPerDay} h/day, ${usd(e.alwaysOnUsd)} always on`,
    ),
    "",
    ...p.advice.map((a) => `  • ${a}`),
  ];
  return lines.join("\n");
}

/** `swarmgate plan`. */
export async function plan(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      agents: { type: "string" },
      "calls-per-minute": { type: "string" },
      tier: { type: "string" },
      latency: { type: "string" },
      "input-tokens": { type: "string" },
      "output-tokens": { type: "string" },
      model: { type: "string" },
      "hours-per-day": { type: "string" },
      json: { type: "boolean" },
    },
    PLAN_USAGE,
  );
  if (values.help) {
    console.log(PLAN_USAGE);
    return 0;
  }
  const u = PLAN_USAGE;
  const agents = numberFlag("agents", values.agents, u, { min: 1, integer: true });
  const callsPerMinute = numberFlag("calls-per-minute", values["calls-per-minute"], u, {
    min: 0,
    exclusiveMin: true,
  });
  if (agents === undefined || callsPerMinute === undefined)
    throw new UsageError("`--agents` and `--calls-per-minute` are required", u);
  const hoursPerDay = numberFlag("hours-per-day", values["hours-per-day"], u, { min: 0 });
  if (hoursPerDay !== undefined && hoursPerDay > 24)
    throw new UsageError(`Expected \`--hours-per-day\` to be at most 24, got ${hoursPerDay}`, u);
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  const result = computePlan({
    agents,
    callsPerMinute,
    tier: (choiceFlag("tier", values.tier, TIERS, u) ?? "pro") as HuggingFaceTier,
    ...optional("latencySeconds", numberFlag("latency", values.latency, u, { min: 0, exclusiveMin: true })),
    ...optional("inputTokens", numberFlag("input-tokens", values["input-tokens"], u, { integer: true })),
    ...optional("outputTokens", numberFlag("output-tokens", values["output-tokens"], u, { integer: true })),
    ...optional("model", values.model),
    ...optional("hoursPerDay", hoursPerDay),
  });
  console.log(values.json ? JSON.stringify(result, null, 2) : formatPlan(result));
  return 0;
}
