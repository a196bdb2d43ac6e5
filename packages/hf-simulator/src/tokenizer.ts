/**
 * Deterministic token accounting: one token per 4 characters (rounded up), the usual
 * rule of thumb for English with BPE tokenizers. Real tokenizers differ per model; the
 * simulator only needs counts that are stable, monotonic and cheap.
 */

/** Characters per simulated token. */
export const CHARS_PER_TOKEN = 4;

/** Extra prompt tokens per chat message for role markers, as chat templates add. */
export const TOKENS_PER_MESSAGE = 4;

/** Number of tokens in `text`. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Splits `text` into its tokens (4-character pieces), the unit of streamed chunks. */
export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += CHARS_PER_TOKEN) pieces.push(text.slice(i, i + CHARS_PER_TOKEN));
  return pieces;
}

/** The first `maxTokens` tokens of `text`. */
export function truncateTokens(text: string, maxTokens: number): string {
  return text.slice(0, Math.max(0, maxTokens) * CHARS_PER_TOKEN);
}
