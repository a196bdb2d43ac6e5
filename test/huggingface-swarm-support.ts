// Shared by the test/huggingface-swarm-*.test.ts files: swarms of agents, simulator counters.
import { setLogger } from "@huggingface/inference";
import type { Simulator } from "@swarmgate/hf-simulator";

/** The real client logs its provider choice on every auto-routed call: keep test output quiet. */
export function quietClientLogs(): void {
  const quiet = () => {};
  setLogger({ debug: quiet, info: quiet, log: quiet, warn: quiet, error: console.error });
}

/** Requests, 429s and 503s the simulator answered, all tokens and buckets together. */
export interface Counts {
  readonly requests: number;
  readonly rejected429: number;
  readonly rejected503: number;
  readonly rejected402: number;
  readonly inference: number;
}

export function counts(sim: Simulator): Counts {
  let requests = 0;
  let rejected429 = 0;
  let rejected503 = 0;
  let rejected402 = 0;
  let inference = 0;
  for (const token of Object.values(sim.stats().tokens))
    for (const [bucket, b] of Object.entries(token.buckets)) {
      if (!b) continue;
      requests += b.requests;
      rejected429 += b.rejected429;
      rejected503 += b.rejected503;
      rejected402 += b.rejected402;
      if (bucket === "inference") inference += b.requests;
    }
  return { requests, rejected429, rejected503, rejected402, inference };
}

/** 429 + 503 answers as a share of requests, between two snapshots. */
export function throttledShare(
  from: Counts,
  to: Counts,
): { requests: number; throttled: number; share: number } {
  const requests = to.requests - from.requests;
  const throttled = to.rejected429 - from.rejected429 + (to.rejected503 - from.rejected503);
  return { requests, throttled, share: requests === 0 ? 0 : throttled / requests };
}

/** Snapshots the simulator's counters when `afterMs` of wall time have passed. */
export function snapshotAfter(sim: Simulator, afterMs: number): () => Counts {
  let snapshot: Counts | undefined;
  const timer = setTimeout(() => {
    snapshot = counts(sim);
  }, afterMs);
  timer.unref();
  return () => {
    clearTimeout(timer);
    return snapshot ?? counts(sim);
  };
}

/** The outcome of a swarm: every task's settlement, counted as it happens. */
export interface SwarmResult<T> {
  readonly settlements: number;
  readonly fulfilled: T[];
  readonly rejected: unknown[];
}

/**
 * Runs `agents` concurrent agents, each doing `steps` tasks one after the other, and
 * counts every settlement: a task that settled twice or never would show in the count.
 */
export async function swarm<T>(
  agents: number,
  steps: number,
  task: (agent: number, step: number) => Promise<T>,
): Promise<SwarmResult<T>> {
  let settlements = 0;
  const fulfilled: T[] = [];
  const rejected: unknown[] = [];
  await Promise.all(
    Array.from({ length: agents }, async (_, agent) => {
      for (let step = 0; step < steps; step++) {
        await task(agent, step).then(
          (value) => {
            settlements++;
            fulfilled.push(value);
          },
          (error: unknown) => {
            settlements++;
            rejected.push(error);
          },
        );
      }
    }),
  );
  return { settlements, fulfilled, rejected };
}

export const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
export const say = (text: string) => [{ role: "user" as const, content: text }];
