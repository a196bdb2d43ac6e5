import type { Identity } from "./auth.js";
import { Catalogue } from "./catalogue.js";
import { SimulatedTime } from "./clock.js";
import { ColdStarts } from "./cold-start.js";
import { InFlight } from "./concurrency.js";
import { CreditLedger } from "./credits.js";
import { EndpointRegistry } from "./endpoints.js";
import { Faults } from "./faults.js";
import { ProviderLimits } from "./provider-limits.js";
import { createRandom, type Random } from "./random.js";
import type { ResolvedOptions } from "./resolve-options.js";
import type { RoutingContext } from "./routing.js";
import { SpikeDetector } from "./spike-detector.js";
import { type SimulatorStats, StatsRecorder } from "./stats.js";
import type { Bucket, Tier } from "./tiers.js";
import { QuotaWindows } from "./windows.js";

/** A credit account and its monthly allowance. */
export interface CreditAccount {
  /** `token:<key>` or `org:<name>`. */
  readonly id: string;
  readonly allowanceUsd: number;
}

/** Everything the simulator remembers between requests. */
export class SimulatorState {
  readonly options: ResolvedOptions;
  readonly time: SimulatedTime;
  readonly catalogue: Catalogue;
  readonly windows: QuotaWindows;
  readonly spikes: SpikeDetector | undefined;
  readonly inFlight = new InFlight();
  readonly credits: CreditLedger;
  readonly coldStarts: ColdStarts;
  readonly faults: Faults;
  readonly stats = new StatsRecorder();
  readonly providerLimits: ProviderLimits;
  readonly endpoints: EndpointRegistry;
  random: Random;

  /** @param options resolved options. */
  constructor(options: ResolvedOptions) {
    this.options = options;
    this.time = new SimulatedTime(options.clock, options.timeScale);
    this.catalogue = new Catalogue(options.catalogue);
    this.windows = new QuotaWindows({ windowMs: options.windowMs, mode: options.windowMode });
    this.spikes = options.spike ? new SpikeDetector(options.spike) : undefined;
    this.credits = new CreditLedger(options.payAsYouGo);
    this.coldStarts = new ColdStarts(options.coldStart.idleMs, options.coldStart.durationMs);
    this.faults = new Faults(options.faults);
    this.providerLimits = new ProviderLimits(options.providers);
    this.endpoints = new EndpointRegistry(this.time, options.endpoints);
    this.random = createRandom(options.seed);
  }

  /** Quota of `identity` in `bucket` per window. */
  quota(identity: Identity, bucket: Bucket): number {
    return identity.token?.quotas?.[bucket] ?? this.options.quotas[identity.tier][bucket];
  }

  /** Hidden concurrency cap of `identity`. */
  maxConcurrent(identity: Identity): number {
    const tier: Tier = identity.tier === "anonymous" ? "free" : identity.tier;
    return identity.token?.maxConcurrent ?? this.options.maxConcurrent[tier];
  }

  /**
   * The account a request is charged to: the org named by `X-HF-Bill-To` (its per-seat
   * pool), or the token's own user. Organization plans' credits apply only through
   * bill-to, so a Team or Enterprise member's own calls use a free user's credits.
   */
  creditAccount(identity: Identity, billTo: string | undefined): CreditAccount {
    if (billTo !== undefined) {
      const org = this.options.orgs[billTo];
      const tier = org?.tier ?? "team";
      const allowanceUsd = org?.monthlyCreditsUsd ?? this.options.monthlyCreditsUsd[tier] * (org?.seats ?? 1);
      return { id: `org:${billTo}`, allowanceUsd };
    }
    const own: Tier = identity.tier === "pro" ? "pro" : "free";
    const allowanceUsd = identity.token?.monthlyCreditsUsd ?? this.options.monthlyCreditsUsd[own];
    return { id: `token:${identity.key}`, allowanceUsd };
  }

  /** Whether `provider` is available now (configured, then switched at runtime). */
  providerAvailable(provider: string): boolean {
    return this.faults.providerAvailable(provider) ?? this.options.providers[provider]?.available ?? true;
  }

  /** What routing needs to know about `identity`: its provider order and availability. */
  routing(identity: Identity): RoutingContext {
    return {
      preferred: identity.token?.preferredProviders ?? this.options.preferredProviders,
      available: (provider) => this.providerAvailable(provider),
    };
  }

  /** Stats snapshot. */
  snapshot(): SimulatorStats {
    const now = this.time.now();
    const tokens: SimulatorStats["tokens"] = {};
    for (const token of this.stats.tokens()) {
      const buckets: SimulatorStats["tokens"][string]["buckets"] = {};
      for (const [bucket, counters] of token.buckets)
        buckets[bucket] = { ...counters, overQuota: this.windows.overQuota(`${token.key}/${bucket}`) };
      tokens[token.key] = {
        tier: token.tier,
        inFlight: this.inFlight.current(token.key),
        maxInFlight: this.inFlight.max(token.key),
        creditsSpentUsd: this.credits.spent(`token:${token.key}`, now),
        buckets,
      };
    }
    const orgs: SimulatorStats["orgs"] = {};
    for (const name of Object.keys(this.options.orgs)) {
      const account = this.creditAccount({ key: "", tier: "team" }, name);
      const spent = this.credits.spent(account.id, now);
      orgs[name] = { creditsSpentUsd: spent, creditsRemainingUsd: Math.max(0, account.allowanceUsd - spent) };
    }
    return {
      overQuota: this.windows.overQuota(),
      tokens,
      orgs,
      providers: this.stats.providers(),
      endpoints: this.endpoints.stats(),
    };
  }

  /** Forgets windows, counters, credits, loads and runtime faults; re-seeds randomness. */
  reset(): void {
    this.windows.reset();
    this.spikes?.reset();
    this.inFlight.reset();
    this.credits.reset();
    this.coldStarts.reset();
    this.faults.reset();
    this.stats.reset();
    this.providerLimits.reset();
    this.endpoints.reset();
    this.random = createRandom(this.options.seed);
  }
}
