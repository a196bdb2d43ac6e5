import type { SimulatedTime } from "./clock.js";
import type { ResolvedEndpoint } from "./resolve-providers.js";

/** A request's slot on a replica, or why it got none. */
export type EndpointSlot =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly status: 503; readonly message: string };

/** The `/__sim/stats` entry of one endpoint. */
export interface EndpointStats {
  url: string;
  model: string;
  instanceType: string;
  status: "running" | "initializing" | "scaledToZero";
  replicas: number;
  readyReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  inFlight: number;
  queued: number;
  maxInFlight: number;
  requests: number;
  served: number;
  rejected503: number;
  coldStarts: number;
  /** What the running replicas cost per hour now (USD). */
  hourlyCostUsd: number;
  /** Replica-hours run so far, and their cost. */
  replicaHours: number;
  costUsd: number;
}

// Autoscaling cadence from the Inference Endpoints docs: scale up at most every minute at
// 80% utilisation, scale down every 2 minutes with 300 s of stabilisation.
const SCALE_UP_EVERY_MS = 60_000;
const SCALE_DOWN_EVERY_MS = 120_000;
const STABILISATION_MS = 300_000;
const TARGET_UTILISATION = 0.8;
const HOUR_MS = 3_600_000;

/**
 * One dedicated Inference Endpoint: replicas that start after a cold start, each serving
 * `concurrencyPerReplica` requests at once with a FIFO queue behind them; past the queue,
 * 503. Autoscaling adds a replica when utilisation reaches 80% (at most once a minute)
 * and removes one when the load would fit in half of one replica fewer (every 2 minutes,
 * not within 300 s of a change); `minReplicas: 0` scales to zero after `scaleToZeroAfterMs` idle, and the next
 * request meets a cold start: 503 at once, or held up to `X-Scale-Up-Timeout` seconds.
 * Billing integrates replicas over simulated time.
 */
export class EndpointRuntime {
  readonly config: ResolvedEndpoint;
  readonly url: string;
  readonly #time: SimulatedTime;
  #replicas: number[] = []; // readyAt of each replica, simulated ms
  #inFlight = 0;
  #queue: Array<() => void> = [];
  #lastActivity: number;
  #lastChange = Number.NEGATIVE_INFINITY;
  #lastScaleUp = Number.NEGATIVE_INFINITY;
  #accruedAt: number;
  #replicaMs = 0;
  readonly #counts = { requests: 0, served: 0, rejected503: 0, coldStarts: 0, maxInFlight: 0 };

  /** @param config the resolved endpoint; @param url its URL; @param time the simulator's time. */
  constructor(config: ResolvedEndpoint, url: string, time: SimulatedTime) {
    this.config = config;
    this.url = url;
    this.#time = time;
    const now = time.now();
    this.#lastActivity = now;
    this.#accruedAt = now;
    for (let i = 0; i < config.minReplicas; i++) this.#replicas.push(now);
  }

  /** Takes a slot for one request, waiting in the queue or for a cold start when allowed. */
  async acquire(scaleUpTimeoutMs: number | undefined): Promise<EndpointSlot> {
    let now = this.#tick();
    this.#counts.requests++;
    this.#lastActivity = now;
    if (this.#replicas.length === 0) this.#startReplica(now);
    if (this.#ready(now) === 0) {
      const waitMs = Math.min(...this.#replicas) - now;
      if (scaleUpTimeoutMs === undefined || waitMs > scaleUpTimeoutMs)
        return this.#reject("Service Unavailable: the endpoint is initializing (scaled to zero).");
      await this.#time.sleep(waitMs);
      now = this.#tick();
      this.#replicas = this.#replicas.map((readyAt, i) => (i === 0 ? Math.min(readyAt, now) : readyAt));
    }
    const ready = this.#ready(now);
    if (this.#inFlight < ready * this.config.concurrencyPerReplica) {
      this.#take();
    } else if (this.#queue.length < ready * this.config.queuePerReplica) {
      this.#maybeScaleUp(now, 1);
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#maybeScaleUp(now, 1);
      return this.#reject("Service Unavailable: every replica is busy and the queue is full.");
    }
    this.#maybeScaleUp(this.#time.now(), 0);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
        this.#lastActivity = this.#tick();
        this.#drain();
      },
    };
  }

  /** The endpoint's stats entry at simulated now. */
  stats(): EndpointStats {
    const now = this.#tick();
    const ready = this.#ready(now);
    const replicas = this.#replicas.length;
    const replicaHours = this.#replicaMs / HOUR_MS;
    return {
      url: this.url,
      model: this.config.model,
      instanceType: this.config.instanceType,
      status: replicas === 0 ? "scaledToZero" : ready === 0 ? "initializing" : "running",
      replicas,
      readyReplicas: ready,
      minReplicas: this.config.minReplicas,
      maxReplicas: this.config.maxReplicas,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      ...this.#counts,
      hourlyCostUsd: replicas * this.config.hourlyCostUsd,
      replicaHours,
      costUsd: replicaHours * this.config.hourlyCostUsd,
    };
  }

  #take(): void {
    this.#inFlight++;
    this.#counts.served++;
    this.#counts.maxInFlight = Math.max(this.#counts.maxInFlight, this.#inFlight);
  }

  #reject(message: string): EndpointSlot {
    this.#counts.rejected503++;
    return { ok: false, status: 503, message };
  }

  #ready(now: number): number {
    return this.#replicas.filter((readyAt) => readyAt <= now).length;
  }

  #drain(): void {
    const capacity = this.#ready(this.#time.now()) * this.config.concurrencyPerReplica;
    while (this.#queue.length > 0 && this.#inFlight < capacity) {
      this.#take();
      this.#queue.shift()?.();
    }
  }

  #startReplica(now: number): void {
    this.#counts.coldStarts++;
    this.#replicas.push(now + this.config.coldStartMs);
    this.#lastChange = now;
    // Queued requests move onto the new replica once it is up.
    void this.#time.sleep(this.config.coldStartMs).then(() => this.#drain());
  }

  #maybeScaleUp(now: number, extra: number): void {
    const { maxReplicas, concurrencyPerReplica } = this.config;
    const load = this.#inFlight + this.#queue.length + extra;
    const capacity = this.#replicas.length * concurrencyPerReplica;
    if (this.#replicas.length >= maxReplicas || now - this.#lastScaleUp < SCALE_UP_EVERY_MS) return;
    if (load < TARGET_UTILISATION * capacity) return;
    this.#lastScaleUp = now;
    this.#startReplica(now);
  }

  // Accrues billing up to now, stepping through the scale-downs (one replica every
  // 2 minutes once 300 s have passed since the last change, while the load is under half
  // of one replica fewer) and the scale to zero that fell due since the last look.
  #tick(): number {
    const now = this.#time.now();
    const { minReplicas, scaleToZeroAfterMs, concurrencyPerReplica } = this.config;
    const busy = this.#inFlight + this.#queue.length;
    const floor = Math.max(minReplicas, 1);
    for (;;) {
      const at = this.#lastChange + Math.max(STABILISATION_MS, SCALE_DOWN_EVERY_MS);
      const quiet = busy < 0.5 * (this.#replicas.length - 1) * concurrencyPerReplica;
      if (this.#replicas.length <= floor || !quiet || at > now) break;
      this.#accrue(Math.max(this.#accruedAt, at));
      this.#replicas.pop();
      this.#lastChange = at;
    }
    const zeroAt = this.#lastActivity + scaleToZeroAfterMs;
    if (minReplicas === 0 && busy === 0 && this.#replicas.length > 0 && now >= zeroAt) {
      this.#accrue(Math.max(this.#accruedAt, zeroAt));
      this.#replicas = [];
      this.#lastChange = zeroAt;
    }
    this.#accrue(now);
    return now;
  }

  #accrue(until: number): void {
    if (until > this.#accruedAt) this.#replicaMs += this.#replicas.length * (until - this.#accruedAt);
    this.#accruedAt = Math.max(this.#accruedAt, until);
  }
}
