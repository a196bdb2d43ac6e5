import type { GovernorOptions, WindowOptions } from "./options.js";
import { expectKnownKeys, expectNumber, expectObject, fail } from "./validate.js";

/** A Hugging Face account tier. */
export type HuggingFaceTier = "free" | "pro" | "team" | "enterprise";

const FIVE_MINUTES = 300_000;

// Hub docs (hub-docs `docs/hub/rate-limits.md`, table of September 2025) for `api`,
// `resolvers` and `pages`; organization limits apply to each member. Hugging Face publishes
// no request limit for inference: those numbers are a conservative guess.
const perTier: Record<HuggingFaceTier, { api: number; resolvers: number; pages: number; inference: number }> =
  {
    free: { api: 1_000, resolvers: 5_000, pages: 200, inference: 300 },
    pro: { api: 2_500, resolvers: 12_000, pages: 400, inference: 1_500 },
    team: { api: 3_000, resolvers: 20_000, pages: 400, inference: 1_500 },
    enterprise: { api: 6_000, resolvers: 50_000, pages: 600, inference: 3_000 },
  };

// The seed's swarm guidance: start small, ramp smoothly over minutes, cap by tier.
const concurrencyPerTier: Record<HuggingFaceTier, { initial: number; max: number; rampMs: number }> = {
  free: { initial: 2, max: 10, rampMs: 60_000 },
  pro: { initial: 5, max: 50, rampMs: 180_000 },
  team: { initial: 20, max: 100, rampMs: 180_000 },
  enterprise: { initial: 20, max: 200, rampMs: 300_000 },
};

/** Monthly Inference Providers credits included with each tier (USD; team/enterprise per seat). */
export const includedCreditsUsd: Readonly<Record<HuggingFaceTier, number>> = {
  free: 0.1,
  pro: 2,
  team: 2,
  enterprise: 2,
};

function fixedWindow(limit: number, scale: (ms: number) => number): WindowOptions[] {
  // Smoothing: at most 1% of the window at once (3 s of its average rate), then the average
  // rate: the smooth ramp Hugging Face asks for, since sudden bursts are answered 503.
  const burst = Math.max(1, Math.ceil(limit / 100));
  return [{ name: "5m", limit, windowMs: scale(FIVE_MINUTES), kind: "fixed", smoothing: { burst } }];
}

/** Options of {@link presets.huggingface}. */
export interface HuggingFacePresetOptions {
  /** The account (or organization) tier. @default "free" */
  readonly tier?: HuggingFaceTier;
  /**
   * Divides every duration (windows, ramp, backoff, breaker, timeouts) by this factor, to
   * match a simulator that compresses time: `timeScale: 60` turns the 5-minute windows into
   * 5 seconds. @default 1
   */
  readonly timeScale?: number;
}

/**
 * Defaults for one Hugging Face token or organization of the given tier: fixed 5-minute
 * windows per bucket, a concurrency ramp, retries with backoff, and breakers. Spread it into
 * {@link createGovernor}'s options and override what you know better; server headers
 * correct the quotas at run time.
 *
 * @example
 * const governor = createGovernor({ name: "swarm", ...presets.huggingface({ tier: "pro" }) });
 */
const PRESET_OPTION_KEYS: ReadonlySet<string> = new Set<keyof HuggingFacePresetOptions>([
  "tier",
  "timeScale",
]);

function huggingface(input: HuggingFacePresetOptions = {}): GovernorOptions {
  const options = expectObject("options", input) as HuggingFacePresetOptions;
  expectKnownKeys("`presets.huggingface` options", options, PRESET_OPTION_KEYS);
  const tier = options.tier ?? "free";
  const limits = Object.hasOwn(perTier, tier) ? perTier[tier] : undefined;
  if (!limits) fail("tier", 'one of "free", "pro", "team", "enterprise"', tier);
  const timeScale = expectNumber("timeScale", options.timeScale ?? 1, 1e-6);
  const scale = (ms: number) => Math.max(1, Math.round(ms / timeScale));
  const ramp = concurrencyPerTier[tier];
  return {
    quotas: {
      api: fixedWindow(limits.api, scale),
      resolvers: fixedWindow(limits.resolvers, scale),
      pages: fixedWindow(limits.pages, scale),
      inference: fixedWindow(limits.inference, scale),
    },
    defaultRequestClass: "inference",
    concurrency: {
      initial: ramp.initial,
      max: ramp.max,
      rampMs: scale(ramp.rampMs),
      maxQueue: 10_000,
      adaptive: { decrease: 0.7, min: 1 },
    },
    concurrencyClasses: ["inference"],
    // The breaker's and the retry budget's durations follow the 5-minute windows they
    // protect: a tenth of one, so that an outage is probed every 30 s and counted over 30 s.
    retry: {
      maxAttempts: 6,
      baseDelayMs: scale(1_000),
      maxDelayMs: scale(60_000),
      budget: { ratio: 0.2, minRetries: 10, windowMs: Math.max(10, scale(FIVE_MINUTES / 10)) },
    },
    breaker: {
      errorThresholdPercentage: 50,
      resetTimeoutMs: scale(FIVE_MINUTES / 10),
      volumeThreshold: 5,
      rollingWindowMs: Math.max(10, scale(FIVE_MINUTES / 10)),
      waitForProbe: true,
    },
    upstream: { maxPauseMs: scale(FIVE_MINUTES), loadingPauseMs: scale(5_000) },
    attemptTimeoutMs: scale(120_000),
    totalTimeoutMs: scale(600_000),
    headerTimeScale: timeScale,
  };
}

/** Ready-made option sets. */
export const presets = { huggingface } as const;
