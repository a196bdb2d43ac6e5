import { createRandom, hashString } from "./random.js";

/**
 * A deterministic sentence embedding: a unit-length vector of `dimensions` floats from a
 * PRNG seeded by model and text. Equal texts embed equally; different texts differ.
 */
export function embed(model: string, text: string, dimensions: number): number[] {
  const random = createRandom(hashString(`${model}\n${text}`));
  const vector = Array.from({ length: dimensions }, () => random.normal());
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
  return vector.map((x) => x / norm);
}
