import { type CatalogueModel, DEFAULT_CATALOGUE } from "./catalogue.js";
import { type Clock, systemClock } from "./clock.js";
import {
  type ColdStartOptions,
  DEFAULT_TOKENS,
  type FaultOptions,
  type LatencyOptions,
  type OrgOptions,
  type SimulatorOptions,
  type SpikeOptions,
  type TokenOptions,
} from "./options.js";
import {
  type ResolvedEndpoint,
  type ResolvedProvider,
  resolveEndpoint,
  resolveProvider,
} from "./resolve-providers.js";
import {
  BUCKETS,
  type Bucket,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MONTHLY_CREDITS_USD,
  DEFAULT_QUOTAS,
  type QuotaTable,
  TIERS,
  type Tier,
  type TierQuotas,
} from "./tiers.js";
import { expectBoolean, expectInteger, expectNumber, expectOneOf, expectProbability } from "./validate.js";

/** Options with every default filled in and every value checked (fields as on {@link SimulatorOptions}). */
export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly timeScale: number;
  readonly clock: Clock;
  readonly tokens: Readonly<Record<string, TokenOptions>>;
  readonly acceptAnyToken: Tier | false;
  readonly orgs: Readonly<Record<string, OrgOptions>>;
  readonly quotas: TierQuotas;
  readonly windowMs: number;
  readonly windowMode: "fixed" | "rolling";
  readonly retryAfter: number;
  readonly inferenceRateLimitHeaders: boolean;
  /** Per tier; `Infinity` when the cap is off. */
  readonly maxConcurrent: Readonly<Record<Tier, number>>;
  readonly preferredProviders: readonly string[] | undefined;
  readonly spike: Required<SpikeOptions> | false;
  readonly monthlyCreditsUsd: Readonly<Record<Tier, number>>;
  readonly payAsYouGo: boolean;
  readonly catalogue: readonly CatalogueModel[];
  readonly providers: Readonly<Record<string, ResolvedProvider>>;
  readonly coldStart: Required<ColdStartOptions>;
  readonly latency: Required<Omit<LatencyOptions, "perOutputTokenMs">> & { perOutputTokenMs?: number };
  readonly tokensPerSecond: number | undefined;
  readonly faults: Required<FaultOptions>;
  readonly endpoints: readonly ResolvedEndpoint[];
}

// A quota is a non-negative integer, or Infinity for "no window" (what inference has by default).
function expectQuota(name: string, value: unknown): number {
  if (value === Number.POSITIVE_INFINITY || value === null) return Number.POSITIVE_INFINITY;
  return expectInteger(name, value, 0);
}

function resolveQuotas(overrides: SimulatorOptions["quotas"]): TierQuotas {
  const result: Record<string, QuotaTable> = {};
  for (const tier of ["anonymous", ...TIERS] as const) {
    const merged: Record<Bucket, number> = { ...DEFAULT_QUOTAS[tier], ...overrides?.[tier] };
    for (const bucket of BUCKETS) merged[bucket] = expectQuota(`quotas.${tier}.${bucket}`, merged[bucket]);
    result[tier] = merged;
  }
  return result as TierQuotas;
}

function resolveTokens(tokens: SimulatorOptions["tokens"]): Readonly<Record<string, TokenOptions>> {
  const resolved = tokens ?? DEFAULT_TOKENS;
  for (const [token, options] of Object.entries(resolved)) {
    expectOneOf(`tokens.${token}.tier`, options.tier, TIERS);
    for (const [bucket, quota] of Object.entries(options.quotas ?? {}))
      expectQuota(`tokens.${token}.quotas.${bucket}`, quota);
    if (options.maxConcurrent !== undefined)
      expectInteger(`tokens.${token}.maxConcurrent`, options.maxConcurrent, 1);
    if (options.monthlyCreditsUsd !== undefined)
      expectNumber(`tokens.${token}.monthlyCreditsUsd`, options.monthlyCreditsUsd, 0);
  }
  return resolved;
}

/**
 * Fills in defaults and validates, throwing a `TypeError` naming the first bad option.
 *
 * @example
 * resolveOptions({ timeScale: -1 }); // TypeError: Expected `timeScale` to be a positive number, got -1
 */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const port = expectInteger("port", options.port ?? 0, 0);
  const timeScale = expectNumber("timeScale", options.timeScale ?? 1, 0, true);
  const seed = expectInteger("seed", options.seed ?? 1, Number.MIN_SAFE_INTEGER);
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== "function")
    throw new TypeError(`Expected \`clock\` to have a now() method, got ${String(clock)}`);
  const acceptAnyToken = options.acceptAnyToken ?? false;
  if (acceptAnyToken !== false) expectOneOf("acceptAnyToken", acceptAnyToken, TIERS);
  const orgs = options.orgs ?? {};
  for (const [org, value] of Object.entries(orgs)) {
    if (value.tier !== undefined) expectOneOf(`orgs.${org}.tier`, value.tier, TIERS);
    if (value.seats !== undefined) expectInteger(`orgs.${org}.seats`, value.seats, 1);
    if (value.monthlyCreditsUsd !== undefined)
      expectNumber(`orgs.${org}.monthlyCreditsUsd`, value.monthlyCreditsUsd, 0);
  }
  const retryAfterOption = options.retryAfter ?? false;
  const retryAfter =
    typeof retryAfterOption === "boolean"
      ? Number(retryAfterOption)
      : expectProbability("retryAfter", retryAfterOption);
  const cap = options.maxConcurrent ?? false;
  const maxConcurrent: Record<Tier, number> = { ...DEFAULT_MAX_CONCURRENT };
  for (const tier of TIERS) {
    if (cap === false) maxConcurrent[tier] = Number.POSITIVE_INFINITY;
    else if (cap !== true) {
      const value = typeof cap === "number" ? cap : (cap[tier] ?? Number.POSITIVE_INFINITY);
      maxConcurrent[tier] =
        value === Number.POSITIVE_INFINITY ? value : expectInteger(`maxConcurrent`, value, 1);
    }
  }
  const spike =
    options.spike === false
      ? false
      : {
          floor: expectNumber("spike.floor", options.spike?.floor ?? 20, 0),
          factor: expectNumber("spike.factor", options.spike?.factor ?? 3, 0),
          baselineSeconds: expectInteger("spike.baselineSeconds", options.spike?.baselineSeconds ?? 5, 1),
        };
  const monthlyCreditsUsd = { ...DEFAULT_MONTHLY_CREDITS_USD };
  for (const tier of TIERS) {
    const value = options.monthlyCreditsUsd?.[tier] ?? monthlyCreditsUsd[tier];
    monthlyCreditsUsd[tier] = expectNumber(`monthlyCreditsUsd.${tier}`, value, 0);
  }
  const catalogue = options.catalogue ?? DEFAULT_CATALOGUE;
  if (!Array.isArray(catalogue))
    throw new TypeError(`Expected \`catalogue\` to be an array, got ${String(catalogue)}`);
  const providers = Object.fromEntries(
    Object.entries(options.providers ?? {}).map(([name, value]) => [name, resolveProvider(name, value)]),
  );
  const knownModel = (id: string) => catalogue.some((model) => model.id === id);
  const endpoints = (options.endpoints ?? []).map((e) => resolveEndpoint(e, knownModel));
  if (new Set(endpoints.map((e) => e.name)).size !== endpoints.length)
    throw new TypeError("Expected `endpoints` to have unique names");
  const cold = options.coldStart === false ? { mode: "off" as const } : (options.coldStart ?? {});
  const coldStart = {
    mode: expectOneOf("coldStart.mode", cold.mode ?? "delay", ["off", "delay", "loading"] as const),
    idleMs: expectNumber("coldStart.idleMs", cold.idleMs ?? 900_000, 0),
    durationMs: expectNumber("coldStart.durationMs", cold.durationMs ?? 2_000, 0),
  };
  const lat =
    options.latency === false ? { baseMs: 0, perOutputTokenMs: 0, jitter: 0 } : (options.latency ?? {});
  const latency = {
    baseMs: expectNumber("latency.baseMs", lat.baseMs ?? 150, 0),
    jitter: expectNumber("latency.jitter", lat.jitter ?? 0.2, 0),
    ...(lat.perOutputTokenMs === undefined
      ? {}
      : { perOutputTokenMs: expectNumber("latency.perOutputTokenMs", lat.perOutputTokenMs, 0) }),
  };
  const f = options.faults ?? {};
  const faults = {
    errorRate: expectProbability("faults.errorRate", f.errorRate ?? 0),
    errorStatus: expectInteger("faults.errorStatus", f.errorStatus ?? 500, 500),
    outages: f.outages ?? [],
    slowRate: expectProbability("faults.slowRate", f.slowRate ?? 0),
    slowMs: expectNumber("faults.slowMs", f.slowMs ?? 30_000, 0),
    dropRate: expectProbability("faults.dropRate", f.dropRate ?? 0),
  };
  for (const [i, outage] of faults.outages.entries()) {
    expectNumber(`faults.outages[${i}].startMs`, outage.startMs, 0);
    expectNumber(`faults.outages[${i}].endMs`, outage.endMs, outage.startMs);
  }
  return {
    port,
    host: options.host ?? "127.0.0.1",
    seed,
    timeScale,
    clock,
    tokens: resolveTokens(options.tokens),
    acceptAnyToken,
    orgs,
    quotas: resolveQuotas(options.quotas),
    windowMs: expectNumber("windowMs", options.windowMs ?? 300_000, 0, true),
    windowMode: expectOneOf("windowMode", options.windowMode ?? "fixed", ["fixed", "rolling"] as const),
    retryAfter,
    inferenceRateLimitHeaders: expectBoolean(
      "inferenceRateLimitHeaders",
      options.inferenceRateLimitHeaders ?? false,
    ),
    maxConcurrent,
    preferredProviders: options.preferredProviders,
    spike,
    monthlyCreditsUsd,
    payAsYouGo: expectBoolean("payAsYouGo", options.payAsYouGo ?? false),
    catalogue,
    providers,
    coldStart,
    latency,
    tokensPerSecond:
      options.tokensPerSecond === undefined
        ? undefined
        : expectNumber("tokensPerSecond", options.tokensPerSecond, 0, true),
    faults,
    endpoints,
  };
}
