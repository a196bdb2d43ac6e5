/**
 * Account tiers and their default limits. Hub numbers (`api`, `resolvers`, `pages`) come
 * from Hugging Face's docs and the project's seed research; everything HF does not
 * publish (inference requests per window, the concurrency cap, `team` and anonymous
 * values) is a simulator assumption, listed as such in docs/simulator.md.
 */

/** A Hugging Face account tier. */
export type Tier = "free" | "pro" | "team" | "enterprise";

/** All tiers, in ascending order. */
export const TIERS: readonly Tier[] = ["free", "pro", "team", "enterprise"];

/** A rate-limit bucket: three Hub classes plus inference (router and hf-inference). */
export type Bucket = "api" | "resolvers" | "pages" | "inference";

/** All buckets. */
export const BUCKETS: readonly Bucket[] = ["api", "resolvers", "pages", "inference"];

/** Requests allowed per window, per bucket. */
export type QuotaTable = Readonly<Record<Bucket, number>>;

/** Quotas keyed by tier, plus `anonymous` for Hub requests without a token. */
export type TierQuotas = Readonly<Record<Tier | "anonymous", QuotaTable>>;

/** Default quotas per 5-minute window. */
export const DEFAULT_QUOTAS: TierQuotas = {
  // Anonymous: the 500 seen in real 429s (`q=500`); assumption for resolvers/pages.
  anonymous: { api: 500, resolvers: 2400, pages: 80, inference: 0 },
  free: { api: 1000, resolvers: 2400, pages: 80, inference: 300 },
  pro: { api: 2500, resolvers: 12000, pages: 400, inference: 1500 },
  // Team is not published separately: assumed equal to PRO (the conservative choice).
  team: { api: 2500, resolvers: 12000, pages: 400, inference: 1500 },
  enterprise: { api: 6000, resolvers: 12000, pages: 400, inference: 3000 },
};

/** Default monthly included credits (USD) per token; team/enterprise are per seat, pooled per org. */
export const DEFAULT_MONTHLY_CREDITS_USD: Readonly<Record<Tier, number>> = {
  free: 0.1,
  pro: 2,
  team: 2,
  enterprise: 2,
};

/** Default hidden concurrency cap (in-flight inference requests per token). An assumption. */
export const DEFAULT_MAX_CONCURRENT: Readonly<Record<Tier, number>> = {
  free: 128,
  pro: 256,
  team: 256,
  enterprise: 512,
};
