import type { CatalogueModel } from "./catalogue.js";
import type { Clock } from "./clock.js";
import type { EndpointOptions } from "./endpoint-options.js";
import type { ProviderOptions } from "./provider-options.js";
import type { QuotaTable, Tier } from "./tiers.js";

/** One configured access token. */
export interface TokenOptions {
  /** The token's plan. */
  readonly tier: Tier;
  /** Key in stats (tokens are never printed). @default the redacted token, e.g. `hf_…_pro` */
  readonly name?: string;
  /** Orgs this token may bill with `X-HF-Bill-To`. @default [] */
  readonly orgs?: readonly string[];
  /** Per-bucket quota overrides for this token. */
  readonly quotas?: Partial<QuotaTable>;
  /** Hidden concurrency cap override for this token. */
  readonly maxConcurrent?: number;
  /** Monthly included credits override (USD). @default free $0.10, PRO $2; org plans: the free $0.10 */
  readonly monthlyCreditsUsd?: number;
  /** The user's provider order (Inference Provider settings), used by `:preferred`. */
  readonly preferredProviders?: readonly string[];
}

/** One organisation that tokens can bill to with `X-HF-Bill-To`. */
export interface OrgOptions {
  /** The org's plan. @default "team" */
  readonly tier?: Tier;
  /** Seats: the pool holds `seats` × the tier's per-seat credits. @default 1 */
  readonly seats?: number;
  /** Monthly pool override (USD). */
  readonly monthlyCreditsUsd?: number;
}

/** Spike protection: 503 when arrivals in the current second exceed `factor` × the recent rate + `floor`. */
export interface SpikeOptions {
  /** Arrivals per second always allowed. @default 20 */
  readonly floor?: number;
  /** Multiple of the previous seconds' mean rate allowed. @default 3 */
  readonly factor?: number;
  /** How many previous seconds form the baseline. @default 5 */
  readonly baselineSeconds?: number;
}

/** Cold starts of hf-inference models. */
export interface ColdStartOptions {
  /** `delay`: the first call is slow; `loading`: 503 "is currently loading" until loaded; `off`. @default "delay" */
  readonly mode?: "off" | "delay" | "loading";
  /** Idle time after which a model is cold again (simulated ms). @default 900_000 */
  readonly idleMs?: number;
  /** Load time (simulated ms). @default 2_000 */
  readonly durationMs?: number;
}

/** Latency model (simulated ms): base + per output token, times lognormal jitter. */
export interface LatencyOptions {
  /** Fixed part, also the time to first chunk of a stream. @default 150 */
  readonly baseMs?: number;
  /** Per output token of a non-streamed answer. @default 1000 / the provider's tokensPerSecond */
  readonly perOutputTokenMs?: number;
  /** Sigma of the lognormal multiplier; 0 disables jitter. @default 0.2 */
  readonly jitter?: number;
}

/** A period during which every inference request fails. */
export interface OutageWindow {
  /** Start, simulated ms since the simulator started. */
  readonly startMs: number;
  /** End (exclusive), simulated ms. */
  readonly endMs: number;
  /** Status answered. @default 503 */
  readonly status?: number;
}

/** Injected faults on inference requests. */
export interface FaultOptions {
  /** Probability of a 5xx answer. @default 0 */
  readonly errorRate?: number;
  /** Status of injected errors. @default 500 */
  readonly errorStatus?: number;
  /** Scheduled outages. @default [] */
  readonly outages?: readonly OutageWindow[];
  /** Probability that a response is slow. @default 0 */
  readonly slowRate?: number;
  /** Extra latency of a slow response (simulated ms). @default 30_000 */
  readonly slowMs?: number;
  /** Probability that the connection is destroyed mid-response. @default 0 */
  readonly dropRate?: number;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** Port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** Seed of all randomness. @default 1 */
  readonly seed?: number;
  /** Simulated ms per wall ms: 60 turns a 5-minute window into 5 s. @default 1 */
  readonly timeScale?: number;
  /** Wall clock. @default the system clock */
  readonly clock?: Clock;
  /** Known tokens. @default `hf_test_<tier>` for every tier */
  readonly tokens?: Readonly<Record<string, TokenOptions>>;
  /** Accept any other `hf_` token with this tier; `false` answers 401. @default false */
  readonly acceptAnyToken?: Tier | false;
  /** Orgs for `X-HF-Bill-To`. @default {} */
  readonly orgs?: Readonly<Record<string, OrgOptions>>;
  /** Quota overrides per tier (and `anonymous`) and bucket, merged over the defaults. */
  readonly quotas?: Partial<Record<Tier | "anonymous", Partial<QuotaTable>>>;
  /** Window length (simulated ms). @default 300_000 */
  readonly windowMs?: number;
  /** `fixed` windows (what HF uses) or `rolling`. @default "fixed" */
  readonly windowMode?: "fixed" | "rolling";
  /** Retry-After on window 429s (undocumented for the Hub): always, never, or with this probability. @default false */
  readonly retryAfter?: boolean | number;
  /**
   * `RateLimit` / `RateLimit-Policy` headers named `"inference"` on inference answers.
   * Hugging Face documents only `api`, `resolvers` and `pages`. @default false
   */
  readonly inferenceRateLimitHeaders?: boolean;
  /**
   * Hidden cap of in-flight inference requests per token (503 past it); HF publishes none.
   * `true` uses {@link DEFAULT_MAX_CONCURRENT}; a number for all tiers, or per tier. @default false
   */
  readonly maxConcurrent?: boolean | number | Partial<Record<Tier, number>>;
  /** The default provider order for `:preferred` (tokens may have their own). @default the catalogue's order */
  readonly preferredProviders?: readonly string[];
  /** Spike protection; `false` disables it. */
  readonly spike?: SpikeOptions | false;
  /** Monthly included credits per tier (USD per token; per seat for orgs). */
  readonly monthlyCreditsUsd?: Partial<Record<Tier, number>>;
  /** Let usage go past the credits (billed) instead of answering 402. @default false */
  readonly payAsYouGo?: boolean;
  /** The models. @default DEFAULT_CATALOGUE */
  readonly catalogue?: readonly CatalogueModel[];
  /** Provider-level limits, keyed by provider name. @default {} */
  readonly providers?: Readonly<Record<string, ProviderOptions>>;
  /** Cold starts; `false` is `{ mode: "off" }`. */
  readonly coldStart?: ColdStartOptions | false;
  /** Latency model; `false` answers as fast as possible. */
  readonly latency?: LatencyOptions | false;
  /** Stream pacing for every provider, overriding the catalogue's speeds. */
  readonly tokensPerSecond?: number;
  /** Fault injection. */
  readonly faults?: FaultOptions;
  /** Inference Endpoints present from the start (more with `POST /endpoints`). @default [] */
  readonly endpoints?: readonly EndpointOptions[];
}

/** The tokens every simulator knows unless `tokens` is given. */
export const DEFAULT_TOKENS: Readonly<Record<string, TokenOptions>> = {
  hf_test_free: { tier: "free" },
  hf_test_pro: { tier: "pro" },
  hf_test_team: { tier: "team" },
  hf_test_enterprise: { tier: "enterprise" },
  "hf_test_enterprise-plus": { tier: "enterprise-plus" },
  hf_test_academia: { tier: "academia" },
};
