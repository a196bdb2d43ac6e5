export { CREDITS_EXCEEDED_BODY } from "./admission.js";
export type { AuthResult, Identity } from "./auth.js";
export { ANONYMOUS, authenticate, redactToken } from "./auth.js";
export type { CatalogueModel, CatalogueProvider, ModelTask, Route, RouteFailure } from "./catalogue.js";
export { Catalogue, costUsd, DEFAULT_CATALOGUE } from "./catalogue.js";
export { parseCliArgs } from "./cli-args.js";
export type { Clock } from "./clock.js";
export { SimulatedTime, systemClock } from "./clock.js";
export { CreditLedger, MONTH_MS } from "./credits.js";
export type { EndpointLatencyOptions, EndpointOptions } from "./endpoint-options.js";
export type { EndpointSlot, EndpointStats } from "./endpoint-runtime.js";
export { EndpointRuntime } from "./endpoint-runtime.js";
export type { FaultPatch } from "./faults.js";
export type {
  ColdStartOptions,
  FaultOptions,
  LatencyOptions,
  OrgOptions,
  OutageWindow,
  SimulatorOptions,
  SpikeOptions,
  TokenOptions,
} from "./options.js";
export { DEFAULT_TOKENS } from "./options.js";
export type { LimitReading, ProviderReadings } from "./provider-headers.js";
export { formatResetDuration, providerLimitHeaders } from "./provider-headers.js";
export type { ProviderHeaderStyle, ProviderOptions } from "./provider-options.js";
export type { Random } from "./random.js";
export { createRandom, hashString } from "./random.js";
export type { RateLimitPolicyValue, RateLimitValue } from "./rate-limit-headers.js";
export {
  formatRateLimit,
  formatRateLimitPolicy,
  parseRateLimit,
  parseRateLimitPolicy,
} from "./rate-limit-headers.js";
export type { ResolvedOptions } from "./resolve-options.js";
export { resolveOptions } from "./resolve-options.js";
export type { ResolvedEndpoint, ResolvedProvider } from "./resolve-providers.js";
export { HUGGING_FACE_ORIGINS, rewriteHuggingFaceFetch } from "./rewrite-fetch.js";
export type { RoutingContext, RoutingPolicy } from "./routing.js";
export { chooseProvider, rankProviders } from "./routing.js";
export type { ValueSource } from "./schema-value.js";
export { valueForSchema, valueSource } from "./schema-value.js";
export type { ScriptedReply, ScriptedRequest } from "./scripted-model.js";
export { scriptReply } from "./scripted-model.js";
export type { Simulator } from "./server.js";
export { startSimulator } from "./server.js";
export type { SpikeDetectorOptions } from "./spike-detector.js";
export { SpikeDetector } from "./spike-detector.js";
export type { BucketStats, OrgStats, SimulatorStats, TokenStats } from "./stats.js";
export type { Bucket, QuotaTable, Tier, TierQuotas } from "./tiers.js";
export {
  BUCKETS,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MONTHLY_CREDITS_USD,
  DEFAULT_QUOTAS,
  ORG_TIERS,
  SUGGESTED_INFERENCE_QUOTAS,
  TIERS,
} from "./tiers.js";
export { countTokens } from "./tokenizer.js";
export { buildToolArguments } from "./tool-arguments.js";
export type { WindowDecision, WindowOptions } from "./windows.js";
export { QuotaWindows } from "./windows.js";
