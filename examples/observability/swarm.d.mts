// Types of swarm.mjs, for the TypeScript tests that drive it.
import type { Governor, GovernorOptions } from "@swarmgate/core";
import type { SimulatorOptions } from "@swarmgate/hf-simulator";

export declare const MODELS: readonly { readonly model: string; readonly provider: string }[];
export declare const SIMULATOR_OPTIONS: SimulatorOptions;
export declare function swarmGovernorOptions(name: string): GovernorOptions;
export interface ChatCall {
  readonly baseUrl: string;
  readonly token: string;
  readonly model: string;
  readonly provider: string;
  readonly prompt: string;
  readonly stream?: boolean;
  readonly agentId?: string;
  readonly signal?: AbortSignal;
  readonly beforeAttempt?: (attempt: number) => unknown;
}
export declare function chat(governor: Governor, call: ChatCall): Promise<{ text: Promise<string> }>;
export declare function runSwarm(options: {
  readonly governor: Governor;
  readonly baseUrl: string;
  readonly token: string;
  readonly agents?: number;
  readonly streamEvery?: number;
  readonly thinkMs?: number;
  readonly signal: AbortSignal;
}): Promise<{ calls: number; failures: number }>;
