/** How a partner provider reports its own limits in response headers. */
export type ProviderHeaderStyle = "none" | "openai" | "together";

/**
 * A partner provider's own limits, passed through by the router: per window, from all
 * tokens together, by requests and/or by tokens (prompt + completion of each call).
 */
export interface ProviderOptions {
  /** Requests the provider accepts per `windowMs`. @default no limit */
  readonly requestsPerWindow?: number;
  /** Tokens (prompt + completion) the provider accepts per `windowMs`. @default no limit */
  readonly tokensPerWindow?: number;
  /** Length of the provider's window (simulated ms). @default 60_000 */
  readonly windowMs?: number;
  /**
   * Limit headers on its answers (200s and 429s): `none`; `openai`:
   * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` with duration resets such as
   * `2m59.56s` or `850ms`; `together`: `x-ratelimit-{limit,remaining,reset}` (requests,
   * reset in seconds) and `x-tokenlimit-{limit,remaining}`. Whether the router forwards
   * them is undocumented. @default "none"
   */
  readonly headers?: ProviderHeaderStyle;
  /** Put "Please try again in 11.455s." in the 429 body, as OpenAI-style APIs do. @default false */
  readonly bodyHint?: boolean;
  /** Share of its 429s sent bare: no limit header and no hint (huggingface_hub issue 4703). @default 0 */
  readonly headerlessShare?: number;
  /** `false` flags the provider unavailable: auto routing fails over, a pinned call gets 503. @default true */
  readonly available?: boolean;
}
