// Hugging Face user access tokens start with `hf_`; API keys of routed providers and bearer
// headers may appear in messages that upstream libraries build from request data.
const patterns: readonly RegExp[] = [
  /\bhf_[A-Za-z0-9]{8,}\b/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}\b/g,
];

const knownSecrets = new Set<string>();

/**
 * Replaces anything that looks like a credential in `text`, and every secret registered
 * with {@link registerSecret}, with `[REDACTED]`. Applied to every error message, span
 * attribute and log line swarmgate writes.
 *
 * @example
 * redact("401 for token hf_abcdefghijklmnop") // "401 for token [REDACTED]"
 */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  for (const pattern of patterns) {
    out = out.replace(pattern, (_match, scheme?: string) =>
      typeof scheme === "string" && /^bearer$/i.test(scheme) ? `${scheme} [REDACTED]` : "[REDACTED]",
    );
  }
  return out;
}

/**
 * Registers a secret (e.g. the token given to an adapter) so that {@link redact} removes it
 * even when it does not look like a token. Secrets shorter than 8 characters are ignored.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 8) knownSecrets.add(secret);
}
