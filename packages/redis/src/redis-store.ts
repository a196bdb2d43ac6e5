import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import {
  type CreditLedger,
  memoryStore,
  type QuotaStore,
  registerSecret,
  type SharedBreaker,
  type WindowSpec,
} from "@swarmgate/core";
import { type Cluster, Redis } from "ioredis";
import { defineScripts } from "./commands.js";
import { FallbackSwitch, type StoreStatus } from "./fallback.js";
import { ScopeKeys } from "./keys.js";
import { type RedisStoreOptions, resolveRedisStoreOptions } from "./options.js";
import { RedisBreaker } from "./redis-breaker.js";
import { RedisLedger } from "./redis-ledger.js";
import { RedisSlotPool } from "./redis-slot-pool.js";
import { RedisWindowGroup } from "./redis-window-group.js";

/** A {@link QuotaStore} in Redis, shared by every process that uses the same Redis and prefix. */
export interface RedisStore extends QuotaStore {
  readonly kind: "redis";
  /** `"connected"` while Redis answers, `"fallback"` while this process decides on its own. */
  readonly status: StoreStatus;
  /** The ioredis client the store talks through. */
  readonly client: Redis | Cluster;
  windows(scope: string, requestClass: string, specs: readonly WindowSpec[]): RedisWindowGroup;
  slots(scope: string): RedisSlotPool;
  ledger(scope: string): CreditLedger;
  breaker(scope: string, key: string): SharedBreaker;
}

/**
 * A {@link QuotaStore} that keeps quota windows, concurrency leases, breaker state and the
 * credit ledger in Redis, so that any number of processes on any number of machines share
 * one Hugging Face quota. Every decision is one atomic Lua script on Redis time; all keys of
 * a scope share one hash tag, so Redis Cluster works. When Redis is unreachable, each
 * process falls back to local limits scaled by `fallbackShare`, says so (log line,
 * `swarmgate.store.fallback` gauge, span attribute, {@link RedisStore.status}), and goes back
 * to Redis as soon as it answers.
 *
 * @example
 * const store = redisStore({ url: "redis://127.0.0.1:6379", prefix: "research-swarm", fallbackShare: 1 / 8 });
 * const governor = createGovernor({ name: "swarm", store, ...presets.huggingface({ tier: "pro" }) });
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const o = resolveRedisStoreOptions(options);
  const ownClient = o.client === undefined;
  // A password in the URL is redacted wherever it could show (ioredis's errors, logs).
  if (o.url !== undefined) registerSecret(passwordOf(o.url));
  const raw =
    o.client ??
    new Redis(o.url!, {
      // Fail fast while Redis is away, so that the fallback answers instead of a queue growing.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs,
      // A hung Redis (the connection open, no answers) loses its socket after this, so the
      // client reconnects and every call answers locally at once instead of each timing out.
      socketTimeout: o.commandTimeoutMs,
      connectTimeout: Math.max(1_000, o.commandTimeoutMs),
      // Every process tries again at least every retryMs: they all come back within the hold.
      retryStrategy: (times) => Math.min(50 * 2 ** times, o.retryMs),
    });
  // The switch reports an outage once; ioredis would print every failed reconnection.
  if (ownClient) raw.on("error", () => {});
  const client = defineScripts(raw);
  const link = new FallbackSwitch(raw, {
    name: o.prefix,
    fallbackShare: o.fallbackShare,
    commandTimeoutMs: o.commandTimeoutMs,
    retryMs: o.retryMs,
    logger: o.logger,
    meterProvider: o.meterProvider,
  });
  const local = memoryStore();
  const owner = randomUUID();
  // Long enough for every process to reach Redis again once it answers: one reconnection
  // (at most retryMs apart), one timed-out call, one retry of the switch.
  const recoveryHoldMs = 2 * (o.retryMs + o.commandTimeoutMs);
  const keys = new Map<string, ScopeKeys>();
  const keysOf = (scope: string) => getOr(keys, scope, () => new ScopeKeys(o.prefix, scope));
  const groups = new Map<string, RedisWindowGroup>();
  const pools = new Map<string, RedisSlotPool>();
  const ledgers = new Map<string, RedisLedger>();
  const breakers = new Map<string, RedisBreaker>();

  const heartbeat = setInterval(() => {
    for (const pool of pools.values()) void pool.renew();
  }, o.heartbeatMs);
  heartbeat.unref();
  let closing: Promise<void> | undefined;

  const store: Omit<RedisStore, "client"> = {
    kind: "redis",
    get status() {
      return link.status;
    },
    windows: (scope, requestClass, specs) =>
      getOr(groups, `${scope}\u0000${requestClass}`, () => {
        const ctx = { client, link, keys: keysOf(scope), owner, recoveryHoldMs, ...pick(o) };
        return new RedisWindowGroup(ctx, requestClass, specs);
      }),
    slots: (scope) =>
      getOr(pools, scope, () => {
        const ctx = { client, link, fallbackShare: o.fallbackShare, leaseTtlMs: o.leaseTtlMs, owner };
        return new RedisSlotPool(ctx, keysOf(scope).slots(), local.slots(scope));
      }),
    ledger: (scope) =>
      getOr(ledgers, scope, () => new RedisLedger(client, link, keysOf(scope), o.fallbackShare)),
    breaker: (scope, key) =>
      getOr(breakers, `${scope}\u0000${key}`, () => {
        const k = keysOf(scope);
        return new RedisBreaker({ client, link, probeLockMs: o.probeLockMs }, k.breaker(key), k.probe(key));
      }),
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        await Promise.all([...pools.values()].map((pool) => pool.releaseAll()));
        await Promise.all([...ledgers.values()].map((ledger) => ledger.flush()));
        link.close();
        if (ownClient) await raw.quit().catch(() => raw.disconnect());
      })();
      return closing;
    },
  };
  // The client holds the connection's options, password included: it is reachable, never
  // printed or serialized with the store.
  Object.defineProperty(store, "client", { value: raw, enumerable: false });
  const shown = () => ({ kind: "redis", prefix: o.prefix, status: link.status });
  Object.defineProperties(store, {
    toJSON: { value: shown, enumerable: false },
    [inspect.custom]: { value: () => `RedisStore ${inspect(shown())}`, enumerable: false },
  });
  return store as RedisStore;
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined; // not a URL ioredis would connect with either
  }
}

function pick(o: { fallbackShare: number; prefetch: number; prefetchMs: number }) {
  return { fallbackShare: o.fallbackShare, prefetch: o.prefetch, prefetchMs: o.prefetchMs };
}

function getOr<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
