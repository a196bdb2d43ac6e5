import type { MeterProvider } from "@opentelemetry/api";
import type { Cluster, Redis } from "ioredis";
import {
  expectDuration,
  expectFraction,
  expectFunction,
  expectInteger,
  expectKnownKeys,
  expectString,
  fail,
} from "./validate.js";

/** Options of {@link redisStore}: a `client` or a `url`, everything else optional. */
export interface RedisStoreOptions {
  /**
   * An ioredis client (`Redis` or `Cluster`) to use; the store defines its scripts on it
   * and never closes it. Give it `enableOfflineQueue: false` and a `commandTimeout` so that
   * calls fail fast while Redis is away; without them the store bounds each call itself.
   */
  readonly client?: Redis | Cluster;
  /** A `redis://` or `rediss://` URL: the store creates (and on close, quits) its own client. */
  readonly url?: string;
  /** Prefix of every key, so that several swarms can share one Redis. @default "swarmgate" */
  readonly prefix?: string;
  /** How long a concurrency lease lives without a heartbeat: a crashed process frees its slots after this. @default 30_000 */
  readonly leaseTtlMs?: number;
  /** How often held leases are renewed. @default leaseTtlMs / 3 */
  readonly heartbeatMs?: number;
  /**
   * Longest wait for one Redis call before the fallback answers; a connection silent for this
   * long (a hung Redis) is dropped. @default 1_000
   */
  readonly commandTimeoutMs?: number;
  /**
   * The part of each quota (windows, concurrency, remaining credits) this process may use on
   * its own while Redis is unreachable. With `processes × share ≤ 1`, a swarm admits at most
   * `quota × (1 + share)` in the window where Redis is lost and at most the quota in later
   * ones (docs/reliability.md derives it). @default 0.25
   */
  readonly fallbackShare?: number;
  /** While in fallback, how often to reconnect to Redis and PING it (also when idle). @default 1_000 */
  readonly retryMs?: number;
  /**
   * Extra permits to reserve with each round trip and hand out locally to the next callers,
   * for groups without smoothing. Never more are handed out than were reserved; unused ones
   * lapse after `prefetchMs` or at the window's reset, wasted but never over-admitted.
   * @default 0 (only callers already waiting are served together)
   */
  readonly prefetch?: number;
  /** How long prefetched permits may be handed out. @default 1_000 */
  readonly prefetchMs?: number;
  /** How long one process holds a half-open breaker's probe lock. @default 30_000 */
  readonly probeLockMs?: number;
  /** Receives one line per switch to or from the fallback (already redacted). @default console.warn */
  readonly logger?: (message: string) => void;
  /** For the `swarmgate.store.fallback` gauge. @default the global meter provider */
  readonly meterProvider?: MeterProvider;
}

/** Options after defaults and validation. */
export interface ResolvedRedisStoreOptions {
  readonly client: Redis | Cluster | undefined;
  readonly url: string | undefined;
  readonly prefix: string;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly commandTimeoutMs: number;
  readonly fallbackShare: number;
  readonly retryMs: number;
  readonly prefetch: number;
  readonly prefetchMs: number;
  readonly probeLockMs: number;
  readonly logger: (message: string) => void;
  readonly meterProvider: MeterProvider | undefined;
}

/** Every key of {@link RedisStoreOptions}: any other is refused with the closest of these. */
export const REDIS_STORE_OPTION_KEYS: ReadonlySet<string> = new Set<keyof RedisStoreOptions>([
  "client",
  "url",
  "prefix",
  "leaseTtlMs",
  "heartbeatMs",
  "commandTimeoutMs",
  "fallbackShare",
  "retryMs",
  "prefetch",
  "prefetchMs",
  "probeLockMs",
  "logger",
  "meterProvider",
]);

/** An integer number of milliseconds from `min` that a timer can hold (2³¹−1 ms at most). */
const expectMs = (name: string, value: unknown, min: number): number =>
  expectInteger(name, expectDuration(name, value, min), min);

/** Spreads the defaults once and validates once. */
export function resolveRedisStoreOptions(input: RedisStoreOptions): ResolvedRedisStoreOptions {
  if (typeof input !== "object" || input === null) fail("options", "an object", input);
  expectKnownKeys("`redisStore` options", input, REDIS_STORE_OPTION_KEYS);
  const o = input;
  if (o.client === undefined && o.url === undefined)
    fail("client", "an ioredis client (or `url` a Redis URL)", o.client);
  if (
    o.client !== undefined &&
    (typeof o.client !== "object" || typeof o.client?.defineCommand !== "function")
  )
    fail("client", "an ioredis Redis or Cluster client", o.client);
  const url = o.url === undefined ? undefined : expectString("url", o.url);
  if (url !== undefined && !/^rediss?:\/\//.test(url)) fail("url", "a redis:// or rediss:// URL", "[url]");
  const leaseTtlMs = expectMs("leaseTtlMs", o.leaseTtlMs ?? 30_000, 100);
  const heartbeatMs = expectMs("heartbeatMs", o.heartbeatMs ?? Math.floor(leaseTtlMs / 3), 10);
  if (heartbeatMs >= leaseTtlMs) fail("heartbeatMs", `less than leaseTtlMs (${leaseTtlMs})`, heartbeatMs);
  return {
    client: o.client,
    url,
    prefix: expectString("prefix", o.prefix ?? "swarmgate"),
    leaseTtlMs,
    heartbeatMs,
    commandTimeoutMs: expectMs("commandTimeoutMs", o.commandTimeoutMs ?? 1_000, 1),
    fallbackShare: expectFraction("fallbackShare", o.fallbackShare ?? 0.25),
    retryMs: expectMs("retryMs", o.retryMs ?? 1_000, 1),
    prefetch: expectInteger("prefetch", o.prefetch ?? 0, 0),
    prefetchMs: expectMs("prefetchMs", o.prefetchMs ?? 1_000, 1),
    probeLockMs: expectMs("probeLockMs", o.probeLockMs ?? 30_000, 1),
    logger: expectFunction("logger", o.logger ?? ((message: string) => console.warn(message))),
    meterProvider:
      o.meterProvider === undefined || typeof o.meterProvider?.getMeter === "function"
        ? o.meterProvider
        : fail("meterProvider", "an OpenTelemetry MeterProvider", o.meterProvider),
  };
}
