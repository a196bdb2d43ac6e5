import { formatResetDuration, type LimitReading, providerLimitHeaders } from "./provider-headers.js";
import type { Random } from "./random.js";
import type { ResolvedProvider } from "./resolve-providers.js";

/** A provider's verdict on one call. */
export type ProviderDecision =
  | { readonly ok: true; readonly headers: Record<string, string> }
  | {
      readonly ok: false;
      readonly headers: Record<string, string>;
      readonly message: string;
      /** `dynamic_request_limited` or `dynamic_token_limited`, as Together names them. */
      readonly code: string;
    };

interface WindowState {
  index: number;
  requests: number;
  tokens: number;
}

/**
 * The partner providers' own limits: fixed windows of `windowMs` counting requests and
 * tokens (prompt + completion) from all tokens together. A call is refused when it would
 * take either count past its limit; refused calls consume nothing.
 */
export class ProviderLimits {
  readonly #providers: Readonly<Record<string, ResolvedProvider>>;
  readonly #windows = new Map<string, WindowState>();

  /** @param providers the resolved `providers` option. */
  constructor(providers: Readonly<Record<string, ResolvedProvider>>) {
    this.#providers = providers;
  }

  /** Admits one call of `tokens` to `provider` at simulated `now`, or refuses it with a 429. */
  admit(provider: string, tokens: number, now: number, random: Random): ProviderDecision {
    const config = this.#providers[provider];
    if (!config || (config.requestsPerWindow === undefined && config.tokensPerWindow === undefined))
      return { ok: true, headers: {} };
    const index = Math.floor(now / config.windowMs);
    let state = this.#windows.get(provider);
    if (!state || state.index !== index) {
      state = { index, requests: 0, tokens: 0 };
      this.#windows.set(provider, state);
    }
    const resetMs = (index + 1) * config.windowMs - now;
    const overRequests =
      config.requestsPerWindow !== undefined && state.requests + 1 > config.requestsPerWindow;
    const overTokens = config.tokensPerWindow !== undefined && state.tokens + tokens > config.tokensPerWindow;
    if (!overRequests && !overTokens) {
      state.requests++;
      state.tokens += tokens;
    }
    const reading = (limit: number | undefined, used: number): LimitReading | undefined =>
      limit === undefined ? undefined : { limit, remaining: Math.max(0, limit - used), resetMs };
    const readings = {
      ...(config.requestsPerWindow === undefined
        ? {}
        : { requests: reading(config.requestsPerWindow, state.requests) }),
      ...(config.tokensPerWindow === undefined
        ? {}
        : { tokens: reading(config.tokensPerWindow, state.tokens) }),
    };
    if (!overRequests && !overTokens)
      return { ok: true, headers: providerLimitHeaders(config.headers, readings) };
    const bare = random.chance(config.headerlessShare);
    const kind = overRequests ? "requests per min (RPM)" : "tokens per min (TPM)";
    const [limit, used, requested] = overRequests
      ? [config.requestsPerWindow, state.requests, 1]
      : [config.tokensPerWindow, state.tokens, tokens];
    let message = `Rate limit reached for ${kind} on provider '${provider}': Limit ${limit}, Used ${used}, Requested ${requested}.`;
    if (config.bodyHint && !bare) message += ` Please try again in ${formatResetDuration(resetMs)}.`;
    return {
      ok: false,
      headers: bare ? {} : providerLimitHeaders(config.headers, readings),
      message,
      code: overRequests ? "dynamic_request_limited" : "dynamic_token_limited",
    };
  }

  /** Forgets every window. */
  reset(): void {
    this.#windows.clear();
  }
}
