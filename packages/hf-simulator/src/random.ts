/**
 * A small seeded pseudo-random generator (mulberry32). Every random decision of the
 * simulator (jitter, fault injection, request ids) goes through one of these, so a
 * given `seed` replays the same run.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A standard normal deviate (Box–Muller), for lognormal latency jitter. */
  normal(): number;
  /** `true` with probability `p`. */
  chance(p: number): boolean;
  /** A lowercase hex string of `length` characters. */
  hex(length: number): string;
}

/**
 * Creates a mulberry32 generator. Same seed, same sequence.
 *
 * @example
 * const random = createRandom(42);
 * random.next(); // always the same first value for seed 42
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    chance(p) {
      if (p <= 0) return false;
      if (p >= 1) return true;
      return next() < p;
    },
    hex(length) {
      let out = "";
      while (out.length < length) out += Math.floor(next() * 16).toString(16);
      return out;
    },
  };
}

/**
 * FNV-1a 32-bit hash of a string: derives per-input seeds (embeddings, generated text,
 * tool-call ids) that do not depend on the order in which requests arrive.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
