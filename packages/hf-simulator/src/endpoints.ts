import type { SimulatedTime } from "./clock.js";
import { EndpointRuntime, type EndpointStats } from "./endpoint-runtime.js";
import type { ResolvedEndpoint } from "./resolve-providers.js";

/** The path of an endpoint under the simulator's URL. */
export const endpointPath = (name: string): string => `/endpoints/${name}`;

/** The simulator's Inference Endpoints, by name. */
export class EndpointRegistry {
  readonly #time: SimulatedTime;
  readonly #endpoints = new Map<string, EndpointRuntime>();
  /** The simulator's base URL, known once it listens. */
  baseUrl = "";

  /** @param time the simulator's time; @param initial endpoints from the options. */
  constructor(time: SimulatedTime, initial: readonly ResolvedEndpoint[]) {
    this.#time = time;
    for (const config of initial) this.create(config);
  }

  /** Adds an endpoint; `undefined` when the name is taken. */
  create(config: ResolvedEndpoint): EndpointRuntime | undefined {
    if (this.#endpoints.has(config.name)) return undefined;
    const runtime = new EndpointRuntime(config, this.baseUrl + endpointPath(config.name), this.#time);
    this.#endpoints.set(config.name, runtime);
    return runtime;
  }

  /** The endpoint called `name`. */
  get(name: string): EndpointRuntime | undefined {
    return this.#endpoints.get(name);
  }

  /** Stats of every endpoint, by name. */
  stats(): Record<string, EndpointStats> {
    return Object.fromEntries(
      [...this.#endpoints].map(([name, e]) => [
        name,
        { ...e.stats(), url: this.baseUrl + endpointPath(name) },
      ]),
    );
  }

  /** Starts every endpoint afresh (replicas at their minimum, no usage, no cost). */
  reset(): void {
    const configs = [...this.#endpoints.values()].map((e) => e.config);
    this.#endpoints.clear();
    for (const config of configs) this.create(config);
  }
}
