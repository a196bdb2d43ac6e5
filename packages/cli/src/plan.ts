import { expectKnownKeys, type HuggingFaceTier, includedCreditsUsd } from "@swarmgate/core";
import { DEFAULT_PRICE_BOOK, type Price } from "@swarmgate/huggingface";

/** What `swarmgate plan` is asked. */
export interface PlanInput {
  readonly agents: number;
  /** Model calls per agent per minute. */
  readonly callsPerMinute: number;
  readonly tier: HuggingFaceTier;
  /** Seconds one model call takes. @default 2 */
  readonly latencySeconds?: number;
  /** Tokens per call. @default 500 in, 200 out */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** Model whose price (DEFAULT_PRICE_BOOK: examples, not HF's prices) costs the calls. */
  readonly model?: string;
  /** Hours a day the swarm runs (30 days a month). @default 8 */
  readonly hoursPerDay?: number;
}

/** The seed's swarm classes ("Swarm Scaling Architecture Recommendations"). */
export type SwarmClass = "small" | "medium" | "large" | "enterprise";

/** `swarmgate plan`'s answer. */
export interface PlanResult {
  readonly input: Required<PlanInput>;
  readonly demand: { readonly perMinute: number; readonly perWindow: number; readonly perSecond: number };
  /** Inference requests per 5-minute window of the tier (the preset's assumption: HF publishes none). */
  readonly quota: { readonly perWindow: number; readonly utilization: number };
  readonly verdict: "fits" | "tight" | "does-not-fit";
  /** The smallest tier whose window holds the demand at ≤ 80 %, if any. */
  readonly smallestFittingTier: HuggingFaceTier | null;
  /** Calls per agent per minute the quota allows when it does not fit (what the governor queues to). */
  readonly throttledCallsPerMinute: number;
  readonly swarmClass: SwarmClass;
  readonly concurrency: {
    /** Little's law: calls in flight on average. */
    readonly averageInFlight: number;
    readonly initial: number;
    readonly max: number;
    /** Ramp from initial to max, adding 5 every 30 s (the seed's conservative approach). */
    readonly rampSeconds: number;
  };
  readonly dedicatedEndpoint: { readonly recommended: boolean; readonly reasons: string[] };
  readonly cost: {
    readonly callsPerMonth: number;
    readonly usageUsd: number;
    readonly includedCreditsUsd: number;
    readonly payAsYouGoUsd: number;
    readonly subscriptionUsd: number;
    readonly serverlessTotalUsd: number;
    /** Inference Endpoints at the seed's hourly prices, running hoursPerDay × 30 days, and 24/7. */
    readonly endpoints: {
      readonly gpu: string;
      readonly perHourUsd: number;
      readonly monthlyUsd: number;
      readonly alwaysOnUsd: number;
    }[];
  };
  readonly advice: string[];
}

/** Inference requests per 5-minute window, as in presets.huggingface and the simulator. */
export const INFERENCE_QUOTA: Readonly<Record<HuggingFaceTier, number>> = {
  free: 300,
  pro: 1_500,
  team: 1_500,
  enterprise: 3_000,
};

/** The seed's ceilings on concurrency per tier (presets.huggingface uses the same). */
const MAX_CONCURRENCY: Readonly<Record<HuggingFaceTier, number>> = {
  free: 10,
  pro: 50,
  team: 100,
  enterprise: 200,
};

/** Subscription list prices per month (PRO $9 from the seed; team/enterprise per seat). */
export const SUBSCRIPTION_USD: Readonly<Record<HuggingFaceTier, number>> = {
  free: 0,
  pro: 9,
  team: 20,
  enterprise: 50,
};

/** The seed's Inference Endpoints prices. */
export const ENDPOINT_GPUS = [
  { gpu: "NVIDIA T4", perHourUsd: 0.6 },
  { gpu: "NVIDIA A10G", perHourUsd: 1 },
  { gpu: "NVIDIA A100", perHourUsd: 4 },
] as const;

const TIER_ORDER: readonly HuggingFaceTier[] = ["free", "pro", "team", "enterprise"];
const HEADROOM = 0.8; // retries cost quota too: keep a fifth of the window free

function classOf(perWindow: number): SwarmClass {
  if (perWindow < 500) return "small";
  if (perWindow <= 2_000) return "medium";
  if (perWindow <= 10_000) return "large";
  return "enterprise";
}

const PLAN_INPUT_KEYS: ReadonlySet<string> = new Set<keyof PlanInput>([
  "agents",
  "callsPerMinute",
  "tier",
  "latencySeconds",
  "inputTokens",
  "outputTokens",
  "model",
  "hoursPerDay",
]);

/**
 * The seed's guidance made quantitative: does a swarm fit a tier's inference window, with
 * what concurrency and ramp, when to move to a dedicated Inference Endpoint, and what it
 * costs a month. Pure: no I/O, no clock.
 *
 * @example
 * plan({ agents: 120, callsPerMinute: 4, tier: "pro" }).verdict; // "does-not-fit"
 */
export function plan(raw: PlanInput): PlanResult {
  if (typeof raw !== "object" || raw === null)
    throw new TypeError(`Expected \`input\` to be an object, got \`${String(raw)}\``);
  expectKnownKeys("`plan` input", raw, PLAN_INPUT_KEYS);
  const input: Required<PlanInput> = {
    latencySeconds: 2,
    inputTokens: 500,
    outputTokens: 200,
    model: "meta-llama/Llama-3.1-8B-Instruct",
    hoursPerDay: 8,
    ...raw,
  };
  for (const key of [
    "agents",
    "callsPerMinute",
    "latencySeconds",
    "inputTokens",
    "outputTokens",
    "hoursPerDay",
  ] as const) {
    const v = input[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw new TypeError(`Expected \`${key}\` to be a non-negative number, got \`${String(v)}\``);
  }
  if (input.hoursPerDay > 24)
    throw new TypeError(`Expected \`hoursPerDay\` to be at most 24, got \`${input.hoursPerDay}\``);
  const quotaPerWindow = INFERENCE_QUOTA[input.tier];
  if (quotaPerWindow === undefined)
    throw new TypeError(
      `Expected \`tier\` to be one of ${TIER_ORDER.join(", ")}, got \`${String(input.tier)}\``,
    );

  const perMinute = input.agents * input.callsPerMinute;
  const perWindow = perMinute * 5;
  const perSecond = perMinute / 60;
  const utilization = quotaPerWindow > 0 ? perWindow / quotaPerWindow : Number.POSITIVE_INFINITY;
  const verdict = utilization <= HEADROOM ? "fits" : utilization <= 1 ? "tight" : "does-not-fit";
  const smallestFittingTier = TIER_ORDER.find((t) => perWindow <= INFERENCE_QUOTA[t] * HEADROOM) ?? null;
  const throttledCallsPerMinute =
    input.agents > 0 ? Math.min(input.callsPerMinute, quotaPerWindow / 5 / input.agents) : 0;

  // Little's law on the rate the window lets through; 50 % headroom for bursts.
  const admittedPerSecond = Math.min(perSecond, quotaPerWindow / 300);
  const averageInFlight = admittedPerSecond * input.latencySeconds;
  const ceiling = MAX_CONCURRENCY[input.tier];
  const max = Math.max(1, Math.min(ceiling, Math.ceil(averageInFlight * 1.5), Math.max(1, input.agents)));
  const initial = Math.min(max, 10);
  const rampSeconds = Math.min(300, Math.max(60, Math.ceil((max - initial) / 5) * 30));

  const reasons: string[] = [];
  if (perWindow > 2_000)
    reasons.push(`${Math.round(perWindow)} requests per 5-minute window (the seed: move past 2,000)`);
  const demandInFlight = perSecond * input.latencySeconds;
  if (demandInFlight > 50)
    reasons.push(
      `${demandInFlight.toFixed(0)} calls in flight at full demand (the seed: move past 50 concurrent)`,
    );
  if (averageInFlight * 1.5 > ceiling)
    reasons.push(`needs more than the ${input.tier} tier's ${ceiling} concurrent requests`);
  if (verdict === "does-not-fit")
    reasons.push(`the ${input.tier} window holds ${quotaPerWindow}; the swarm asks ${Math.round(perWindow)}`);

  const price: Price = DEFAULT_PRICE_BOOK[input.model] ?? { inputPerMTokUsd: 0.2, outputPerMTokUsd: 0.2 };
  const callsPerMonth = perMinute * 60 * input.hoursPerDay * 30;
  const usageUsd =
    (callsPerMonth *
      (input.inputTokens * price.inputPerMTokUsd + input.outputTokens * price.outputPerMTokUsd)) /
    1e6;
  const credits = includedCreditsUsd[input.tier];
  const payAsYouGoUsd = Math.max(0, usageUsd - credits);
  const subscriptionUsd = SUBSCRIPTION_USD[input.tier];
  const endpoints = ENDPOINT_GPUS.map((g) => ({
    gpu: g.gpu,
    perHourUsd: g.perHourUsd,
    monthlyUsd: g.perHourUsd * input.hoursPerDay * 30,
    alwaysOnUsd: g.perHourUsd * 24 * 30,
  }));
  const serverlessTotalUsd = subscriptionUsd + payAsYouGoUsd;

  const advice: string[] = [];
  const pct = (r: number) => `${Math.round(r * 100)} %`;
  if (verdict === "fits")
    advice.push(
      `Fits the ${input.tier} tier: ${Math.round(perWindow)} of ${quotaPerWindow} requests per 5-minute window (${pct(utilization)}).`,
    );
  else if (verdict === "tight")
    advice.push(
      `Fits the ${input.tier} tier only just (${pct(utilization)} of the window): retries and bursts will meet 429s; let the governor queue them.`,
    );
  else
    advice.push(
      `Does not fit the ${input.tier} tier: ${Math.round(perWindow)} requests per window against ${quotaPerWindow} (${pct(utilization)}). Governed, each agent gets ${throttledCallsPerMinute.toFixed(2)} calls/min instead of ${input.callsPerMinute}.`,
    );
  if (verdict !== "fits" && smallestFittingTier && smallestFittingTier !== input.tier)
    advice.push(
      `The ${smallestFittingTier} tier fits (${pct(perWindow / INFERENCE_QUOTA[smallestFittingTier])} of its window).`,
    );
  advice.push(
    `Concurrency: start at ${initial}, ramp to ${max} over ${rampSeconds} s (+5 every 30 s); about ${averageInFlight.toFixed(1)} calls in flight on average.`,
  );
  if (reasons.length > 0) advice.push(`Move to a dedicated Inference Endpoint: ${reasons.join("; ")}.`);
  const a10g = endpoints[1]!;
  advice.push(
    `Cost: ${Math.round(callsPerMonth).toLocaleString("en-US")} calls a month ≈ $${usageUsd.toFixed(2)} of usage; serverless total ≈ $${serverlessTotalUsd.toFixed(2)}/month (subscription $${subscriptionUsd} + pay-as-you-go after $${credits} credits) vs an A10G endpoint ≈ $${a10g.monthlyUsd.toFixed(0)}/month at ${input.hoursPerDay} h/day ($${a10g.alwaysOnUsd.toFixed(0)} always on).`,
  );

  return {
    input,
    demand: { perMinute, perWindow, perSecond },
    quota: { perWindow: quotaPerWindow, utilization },
    verdict,
    smallestFittingTier,
    throttledCallsPerMinute,
    swarmClass: classOf(perWindow),
    concurrency: { averageInFlight, initial, max, rampSeconds },
    dedicatedEndpoint: { recommended: reasons.length > 0, reasons },
    cost: {
      callsPerMonth,
      usageUsd,
      includedCreditsUsd: credits,
      payAsYouGoUsd,
      subscriptionUsd,
      serverlessTotalUsd,
      endpoints,
    },
    advice,
  };
}
