import type { TokenOptions } from "./options.js";
import type { ResolvedOptions } from "./resolve-options.js";
import type { Tier } from "./tiers.js";

/** Who is calling. */
export interface Identity {
  /** Key in stats and quota state: the token's `name`, its redacted form, or `anonymous`. */
  readonly key: string;
  /** The tier whose defaults apply (`anonymous` for calls without a token). */
  readonly tier: Tier | "anonymous";
  /** The token's configuration, when it is a configured token. */
  readonly token?: TokenOptions;
  /** The raw token, kept only to check org membership; never logged or reported. */
  readonly secret?: string;
}

/** Result of reading the `Authorization` header. */
export type AuthResult =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly reason: "missing" | "invalid" };

/**
 * Redacts a token for display: `hf_` plus its last four characters
 * (`hf_test_pro` → `hf_…_pro`), like HF's own token listings.
 */
export function redactToken(token: string): string {
  return token.length <= 7 ? "hf_…" : `hf_…${token.slice(-4)}`;
}

/** Reads `Authorization: Bearer hf_...` and finds the token's tier. */
export function authenticate(header: string | undefined, options: ResolvedOptions): AuthResult {
  if (!header) return { ok: false, reason: "missing" };
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) return { ok: false, reason: "invalid" };
  const secret = match[1]!;
  const token = Object.hasOwn(options.tokens, secret) ? options.tokens[secret] : undefined;
  if (token)
    return {
      ok: true,
      identity: { key: token.name ?? redactToken(secret), tier: token.tier, token, secret },
    };
  if (options.acceptAnyToken !== false && secret.startsWith("hf_"))
    return { ok: true, identity: { key: redactToken(secret), tier: options.acceptAnyToken, secret } };
  return { ok: false, reason: "invalid" };
}

/** The identity of calls without a token (Hub endpoints allow them). */
export const ANONYMOUS: Identity = { key: "anonymous", tier: "anonymous" };
