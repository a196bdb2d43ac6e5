import type { Random } from "./random.js";

/** Inputs of one latency draw (simulated ms). */
export interface LatencyInput {
  readonly baseMs: number;
  readonly perOutputTokenMs: number;
  readonly outputTokens: number;
  readonly jitter: number;
}

/**
 * Latency of a non-streamed answer: `(baseMs + outputTokens × perOutputTokenMs) ×
 * exp(jitter × N(0,1))`, a lognormal multiplier with median 1, so most calls sit near
 * the mean and a few are several times slower, as real inference tails are.
 */
export function drawLatency(input: LatencyInput, random: Random): number {
  const mean = input.baseMs + input.outputTokens * input.perOutputTokenMs;
  if (mean <= 0) return 0;
  return input.jitter > 0 ? mean * Math.exp(input.jitter * random.normal()) : mean;
}
