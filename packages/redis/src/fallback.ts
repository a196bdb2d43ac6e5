import { type MeterProvider, metrics, type ObservableGauge, trace } from "@opentelemetry/api";
import { redact } from "@swarmgate/core";
import type { Cluster, Redis } from "ioredis";

/** Where a store's answers come from: Redis, or this process's local fallback. */
export type StoreStatus = "connected" | "fallback";

/** The gauge that reads 1 while a store answers from its local fallback. */
export const FALLBACK_METRIC = "swarmgate.store.fallback";
/** Set to `true` on the active span when an operation was answered by the fallback. */
export const FALLBACK_ATTRIBUTE = "swarmgate.store.fallback";

const SCOPE = "@swarmgate/redis";
const VERSION = "0.1.0";

/** What {@link FallbackSwitch} needs. */
export interface FallbackSwitchOptions {
  readonly name: string;
  readonly fallbackShare: number;
  /** Bound on one Redis call when the client has no `commandTimeout` of its own. */
  readonly commandTimeoutMs: number;
  /** While in fallback, how often to try Redis again when the client says it is ready. */
  readonly retryMs: number;
  readonly logger: (message: string) => void;
  readonly meterProvider: MeterProvider | undefined;
}

const waitingStates = new Set(["wait", "connecting", "connect"]);
// How long the first calls wait for the first connection: a process that starts while its
// machine is busy should not begin on its fallback (and beside the swarm) for a slow handshake.
const FIRST_CONNECTION_MS = 1_000;

/**
 * Routes every store operation to Redis while it answers, and to a local fallback when it
 * does not: a Redis call that fails or outlives its timeout switches the store to
 * `"fallback"` (one log line, the gauge goes to 1); a Redis call that succeeds switches it
 * back (one log line). No operation ever waits on a dead connection: a client that is not
 * ready answers locally at once.
 */
export class FallbackSwitch {
  readonly #client: Redis | Cluster;
  readonly #options: FallbackSwitchOptions;
  readonly #ownTimeout: boolean;
  readonly #gauge: ObservableGauge;
  readonly #observe: (result: { observe(value: number, attributes?: Record<string, string>): void }) => void;
  readonly #onConnected: (() => void)[] = [];
  #status: StoreStatus = "connected";
  #everReady = false;
  #retryAt = 0;
  #wallOffset = Number.NaN;
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;
  #answeredAt = 0;
  #closedAt = Number.POSITIVE_INFINITY;
  #lostAt = 0;

  constructor(client: Redis | Cluster, options: FallbackSwitchOptions) {
    this.#client = client;
    this.#options = options;
    const own = client as {
      options?: { commandTimeout?: number; redisOptions?: { commandTimeout?: number } };
    };
    const clientTimeout = own.options?.commandTimeout ?? own.options?.redisOptions?.commandTimeout;
    this.#ownTimeout = !clientTimeout;
    this.timeoutMs = clientTimeout || options.commandTimeoutMs;
    client.on("ready", () => {
      this.#everReady = true;
      this.#retryAt = 0;
    });
    client.on("close", () => {
      if (this.#closedAt === Number.POSITIVE_INFINITY) this.#closedAt = Date.now();
    });
    this.#timer = setInterval(() => this.#tick(), options.retryMs);
    this.#timer.unref?.();
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.#gauge = meter.createObservableGauge(FALLBACK_METRIC, {
      unit: "1",
      description: "1 while a shared quota store answers from its local fallback, else 0",
    });
    this.#observe = (result) =>
      result.observe(this.#status === "fallback" ? 1 : 0, {
        "swarmgate.store.kind": "redis",
        "swarmgate.store.name": options.name,
      });
    this.#gauge.addCallback(this.#observe);
  }

  /** The longest a caller waits for one Redis answer (the client's `commandTimeout`, else the store's). */
  readonly timeoutMs: number;

  get status(): StoreStatus {
    return this.#status;
  }

  /** Records Redis's clock from an answer (`TIME` in ms), for {@link deadline}. */
  heard(redisNow: number): void {
    if (Number.isFinite(redisNow)) this.#wallOffset = redisNow - Date.now();
  }

  /**
   * The Redis instant after which nobody waits for the answer to a call sent now (0 before
   * Redis's clock is known): scripts given it do nothing when Redis runs them later, as it
   * does with the commands queued behind a hang.
   */
  deadline(): number {
    return Number.isNaN(this.#wallOffset) ? 0 : Math.ceil(this.redisNow() + this.timeoutMs);
  }

  /** Redis's clock now, as last heard (this machine's clock before any answer). */
  redisNow(): number {
    return Date.now() + (Number.isNaN(this.#wallOffset) ? 0 : this.#wallOffset);
  }

  /**
   * The latest instant (Redis time) at which Redis may still have decided for other
   * processes in the current outage; while connected, the last one's.
   */
  lostAt(): number {
    return this.#lostAt + (Number.isNaN(this.#wallOffset) ? 0 : this.#wallOffset);
  }

  /** Runs `fn` each time the store goes back to Redis (e.g. to replay what the fallback owes it). */
  onConnected(fn: () => void): void {
    this.#onConnected.push(fn);
  }

  /**
   * Asks Redis; on failure answers with `local`. `late` receives a Redis answer that came
   * after the timeout, so that the caller can undo what it did (e.g. free a lease).
   */
  async call<T>(
    remote: () => Promise<T>,
    local: () => T | PromiseLike<T>,
    late?: (value: T) => void,
  ): Promise<T> {
    const sentAt = Date.now();
    if (!(await this.#usable())) return this.#local(local);
    let timedOut = false;
    try {
      const pending = remote();
      const value = this.#ownTimeout
        ? await withTimeout(pending, this.#options.commandTimeoutMs, () => {
            timedOut = true;
            if (late) pending.then(late, () => {});
          })
        : await pending;
      this.#answeredAt = Date.now();
      this.#closedAt = Number.POSITIVE_INFINITY;
      this.#connected();
      return value;
    } catch (error) {
      const reason = timedOut ? new Error(`no answer within ${this.#options.commandTimeoutMs} ms`) : error;
      this.#failed(reason, sentAt);
      return this.#local(local);
    }
  }

  /** Unregisters the gauge and stops probing. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#gauge.removeCallback(this.#observe);
  }

  // Every retryMs: while in fallback, Redis is asked (PING) even when no call needs it, so
  // that the store goes back, and what the fallback owes is replayed, as soon as it answers;
  // while connected but idle, too, so that a lost Redis is noticed (and dated) within that.
  #tick(): void {
    if (this.#closed || !this.#everReady) return;
    const idle = Date.now() - this.#answeredAt >= this.#options.retryMs;
    if (this.#status === "fallback" || (idle && this.#client.status === "ready"))
      void this.call(
        () => this.#client.ping(),
        () => undefined,
      );
  }

  async #usable(): Promise<boolean> {
    const state = this.#client.status;
    if (state === "ready") return this.#status === "connected" || Date.now() >= this.#retryAt;
    // Only the first connection is worth waiting for (briefly): later, a client that is not
    // ready is a client that lost Redis, and the fallback must answer now.
    if (!this.#everReady && this.#status === "connected" && waitingStates.has(state)) {
      if (state === "wait") void this.#client.connect().catch(() => {});
      const ready = await this.#readyWithin(Math.max(FIRST_CONNECTION_MS, this.timeoutMs));
      if (ready) return true;
    }
    if (this.#status === "connected")
      this.#failed(new Error(`connection is ${this.#client.status}`), Date.now());
    return false;
  }

  #readyWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#client.off("ready", onReady);
        resolve(false);
      }, ms);
      timer.unref?.();
      this.#client.once("ready", onReady);
    });
  }

  #local<T>(local: () => T | PromiseLike<T>): T | PromiseLike<T> {
    trace.getActiveSpan()?.setAttribute(FALLBACK_ATTRIBUTE, true);
    return local();
  }

  #failed(error: unknown, sentAt: number): void {
    this.#retryAt = Date.now() + this.#options.retryMs;
    if (this.#status === "fallback") return;
    this.#status = "fallback";
    // Redis may have decided for others until the connection closed or the first call that
    // got no answer was sent, whichever came first.
    this.#lostAt = Math.max(this.#answeredAt, Math.min(sentAt, this.#closedAt));
    const reason = redact(String((error as Error | undefined)?.message ?? error));
    const share = Math.round(this.#options.fallbackShare * 1000) / 10;
    this.#log(
      `swarmgate: Redis store "${this.#options.name}" is unreachable (${reason}); using local limits at ${share}% of each quota until it answers again`,
    );
  }

  #connected(): void {
    if (this.#status === "connected") return;
    this.#status = "connected";
    this.#log(`swarmgate: Redis store "${this.#options.name}" answers again; quota state is shared again`);
    for (const fn of this.#onConnected)
      try {
        fn();
      } catch {
        // one hook's failure must not keep the others from running
      }
  }

  #log(message: string): void {
    try {
      this.#options.logger(redact(message));
    } catch {
      // a broken logger must not break the store
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error("timeout"));
    }, ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
