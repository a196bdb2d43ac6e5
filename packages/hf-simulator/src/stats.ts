import type { EndpointStats } from "./endpoint-runtime.js";
import type { Bucket, Tier } from "./tiers.js";

/** Counters of one token in one bucket. */
export interface BucketStats {
  /** Requests that reached the bucket's gates. */
  requests: number;
  /** Requests the quota window admitted. */
  admitted: number;
  /** 429 answers (window exhausted or provider limit). */
  rejected429: number;
  /** 503 answers (spike, concurrency cap, cold start, outage). */
  rejected503: number;
  /** 402 answers (credits exhausted). */
  rejected402: number;
  /** Other 5xx answers (injected errors, outages with 500/502/504). */
  errors5xx: number;
  /** Connections destroyed mid-response. */
  dropped: number;
  /** Whether any window of this bucket ever admitted more than its quota (must stay false). */
  overQuota: boolean;
}

/** Stats of one token (or `anonymous`). */
export interface TokenStats {
  tier: Tier | "anonymous";
  /** Inference requests in flight now. */
  inFlight: number;
  /** Most inference requests ever in flight at once. */
  maxInFlight: number;
  /** USD charged to the token's own credits this month. */
  creditsSpentUsd: number;
  buckets: Partial<Record<Bucket, BucketStats>>;
}

/** Stats of one org credit pool. */
export interface OrgStats {
  creditsSpentUsd: number;
  creditsRemainingUsd: number;
}

/** The `GET /__sim/stats` document. */
export interface SimulatorStats {
  /** True if any window of any token ever admitted more than its quota. */
  overQuota: boolean;
  tokens: Record<string, TokenStats>;
  orgs: Record<string, OrgStats>;
  /** Partner providers' own 429s, per provider. */
  providers: Record<string, { rejected429: number }>;
  /** Inference Endpoints: replicas, load, 503s, cold starts, hourly and accrued cost. */
  endpoints: Record<string, EndpointStats>;
}

/** A counter of {@link BucketStats}. */
export type Counter = Exclude<keyof BucketStats, "overQuota">;

const emptyBucket = (): BucketStats => ({
  requests: 0,
  admitted: 0,
  rejected429: 0,
  rejected503: 0,
  rejected402: 0,
  errors5xx: 0,
  dropped: 0,
  overQuota: false,
});

/** Counts outcomes per token and bucket. */
export class StatsRecorder {
  readonly #tokens = new Map<string, { tier: Tier | "anonymous"; buckets: Map<Bucket, BucketStats> }>();
  readonly #providers = new Map<string, number>();

  /** Adds one to `counter` of `key` in `bucket`. */
  count(key: string, tier: Tier | "anonymous", bucket: Bucket, counter: Counter): void {
    let token = this.#tokens.get(key);
    if (!token) {
      token = { tier, buckets: new Map() };
      this.#tokens.set(key, token);
    }
    let stats = token.buckets.get(bucket);
    if (!stats) {
      stats = emptyBucket();
      token.buckets.set(bucket, stats);
    }
    stats[counter]++;
  }

  /** Records a provider-level 429. */
  providerRejected(provider: string): void {
    this.#providers.set(provider, (this.#providers.get(provider) ?? 0) + 1);
  }

  /** Tokens seen, with their counters (copies). */
  tokens(): Array<{ key: string; tier: Tier | "anonymous"; buckets: Array<[Bucket, BucketStats]> }> {
    return [...this.#tokens].map(([key, token]) => ({
      key,
      tier: token.tier,
      buckets: [...token.buckets].map(([bucket, stats]) => [bucket, { ...stats }]),
    }));
  }

  /** Provider-level 429 counts. */
  providers(): Record<string, { rejected429: number }> {
    return Object.fromEntries([...this.#providers].map(([name, n]) => [name, { rejected429: n }]));
  }

  /** Forgets everything. */
  reset(): void {
    this.#tokens.clear();
    this.#providers.clear();
  }
}
