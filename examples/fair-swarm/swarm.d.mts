// Types of swarm.mjs, for the TypeScript test that drives it.
export declare const TOKEN: string;
export declare const MODEL: string;
export interface SwarmResult {
  readonly queue: "fifo" | "priority" | "fair-share";
  readonly quietP50Ms: number;
  readonly quietMaxMs: number;
  readonly quietDoneMs: number;
  readonly allDoneMs: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly tokensUsed: number;
  readonly tokensEstimated: number;
}
export declare function runSwarm(options: {
  readonly url: string;
  readonly queue: "fifo" | "priority" | "fair-share";
  readonly chattyCalls?: number;
  readonly quietAgents?: number;
  readonly quietCalls?: number;
  readonly limit?: number;
  readonly windowMs?: number;
}): Promise<SwarmResult>;
