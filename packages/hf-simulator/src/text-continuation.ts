import { createRandom, hashString } from "./random.js";
import { truncateTokens } from "./tokenizer.js";

const WORDS = [
  "the",
  "swarm",
  "model",
  "agent",
  "quota",
  "window",
  "token",
  "simulated",
  "answer",
  "request",
  "and",
  "then",
  "every",
  "call",
  "returns",
  "a",
  "steady",
  "stream",
  "of",
  "words",
];

/**
 * The text-generation model: a continuation of `prompt` that is exactly `maxTokens`
 * tokens long, built from a small vocabulary with a PRNG seeded by the prompt, so the
 * same prompt always continues the same way regardless of request order or `seed`.
 */
export function continueText(prompt: string, maxTokens: number): string {
  const random = createRandom(hashString(prompt));
  let text = "";
  while (text.length < maxTokens * 4) text += ` ${WORDS[Math.floor(random.next() * WORDS.length)]}`;
  return truncateTokens(text, maxTokens);
}
