/**
 * Account tiers and their default limits. The Hub numbers (`api`, `resolvers`, `pages`)
 * are the table of hub-docs `docs/hub/rate-limits.md` (September 2025). Hugging Face
 * publishes no request limit for inference, so the `inference` bucket has no window by
 * default (`Infinity`); a number turns one on. Everything else HF does not publish is an
 * option that is off by default, listed in docs/simulator.md.
 */

/** A Hugging Face plan: a user's (`free`, `pro`) or an organization's (the others). */
export type Tier = "free" | "pro" | "team" | "enterprise" | "enterprise-plus" | "academia";

/** All tiers. */
export const TIERS: readonly Tier[] = ["free", "pro", "team", "enterprise", "enterprise-plus", "academia"];

/** Organization plans: their credits are pooled per org and used only with `X-HF-Bill-To`. */
export const ORG_TIERS: readonly Tier[] = ["team", "enterprise", "enterprise-plus", "academia"];

/** A rate-limit bucket: the three Hub classes plus inference (router and hf-inference). */
export type Bucket = "api" | "resolvers" | "pages" | "inference";

/** All buckets. */
export const BUCKETS: readonly Bucket[] = ["api", "resolvers", "pages", "inference"];

/** Requests allowed per window, per bucket (`Infinity`: no window). */
export type QuotaTable = Readonly<Record<Bucket, number>>;

/** Quotas keyed by tier, plus `anonymous` for Hub requests without a token. */
export type TierQuotas = Readonly<Record<Tier | "anonymous", QuotaTable>>;

const NONE = Number.POSITIVE_INFINITY;

/** Default quotas per 5-minute window (hub-docs rate-limits table, September 2025). */
export const DEFAULT_QUOTAS: TierQuotas = {
  anonymous: { api: 500, resolvers: 3000, pages: 100, inference: 0 },
  free: { api: 1000, resolvers: 5000, pages: 200, inference: NONE },
  pro: { api: 2500, resolvers: 12000, pages: 400, inference: NONE },
  team: { api: 3000, resolvers: 20000, pages: 400, inference: NONE },
  enterprise: { api: 6000, resolvers: 50000, pages: 600, inference: NONE },
  "enterprise-plus": { api: 10000, resolvers: 100000, pages: 1000, inference: NONE },
  academia: { api: 3000, resolvers: 20000, pages: 400, inference: NONE },
};

/**
 * Inference requests per window that `quotas: { [tier]: { inference } }` used to default
 * to: a plausible guess, not a published number. Handy when a test wants an inference
 * window without inventing its own numbers.
 */
export const SUGGESTED_INFERENCE_QUOTAS: Readonly<Record<Tier, number>> = {
  free: 300,
  pro: 1500,
  team: 1500,
  enterprise: 3000,
  "enterprise-plus": 5000,
  academia: 1500,
};

/**
 * Monthly included credits (USD): per user for free and PRO; per seat, pooled per org,
 * for the organization plans (hub-docs inference-providers `pricing.md`).
 */
export const DEFAULT_MONTHLY_CREDITS_USD: Readonly<Record<Tier, number>> = {
  free: 0.1,
  pro: 2,
  team: 2,
  enterprise: 2,
  "enterprise-plus": 2,
  academia: 2,
};

/**
 * Hidden concurrency caps (in-flight inference requests per token) used by
 * `maxConcurrent: true`. Hugging Face publishes none: the cap is off by default.
 */
export const DEFAULT_MAX_CONCURRENT: Readonly<Record<Tier, number>> = {
  free: 128,
  pro: 256,
  team: 256,
  enterprise: 512,
  "enterprise-plus": 512,
  academia: 256,
};
