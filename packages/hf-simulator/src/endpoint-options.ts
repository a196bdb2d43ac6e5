/** Latency of an Inference Endpoint's replica (simulated ms). */
export interface EndpointLatencyOptions {
  /** Fixed part of every answer. @default 200 */
  readonly baseMs?: number;
  /** Per output token. @default 10 */
  readonly perOutputTokenMs?: number;
}

/**
 * A dedicated Inference Endpoint: its own URL (`{sim.url}/endpoints/{name}`), replicas
 * autoscaled between `minReplicas` and `maxReplicas`, a per-replica capacity, no shared
 * rate limit, and a per-replica hourly price.
 */
export interface EndpointOptions {
  /** Name, also the last segment of its URL: lowercase letters, digits and dashes. */
  readonly name: string;
  /** The catalogue model it serves (any task). @default "meta-llama/Llama-3.1-8B-Instruct" */
  readonly model?: string;
  /** Instance type, reported in stats. @default "nvidia-a10g" */
  readonly instanceType?: string;
  /** USD per replica-hour (the seed: T4 ~0.60, A10G ~1.00, A100 ~4.00). @default 1 */
  readonly hourlyCostUsd?: number;
  /** Fewest replicas; 0 makes it scale to zero when idle. @default 1 */
  readonly minReplicas?: number;
  /** Most replicas autoscaling may run. @default minReplicas, or 1 */
  readonly maxReplicas?: number;
  /** Requests one replica serves at once. @default 8 */
  readonly concurrencyPerReplica?: number;
  /** Requests that may wait per ready replica once every slot is busy; past it, 503. @default 32 */
  readonly queuePerReplica?: number;
  /** Time a new replica takes to start: the cold start (simulated ms). @default 60_000 */
  readonly coldStartMs?: number;
  /** Idle time after which a `minReplicas: 0` endpoint scales to zero. @default 3_600_000 (HF's 1 hour) */
  readonly scaleToZeroAfterMs?: number;
  /** Latency of one answer. */
  readonly latency?: EndpointLatencyOptions;
}
