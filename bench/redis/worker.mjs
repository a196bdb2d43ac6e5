// One benchmark process (forked by ./run.mjs): `concurrency` callers ask one contender for
// permits as fast as it answers, from `startAt` to `endAt`, and report what they got.
import { performance } from "node:perf_hooks";
import { redisStore } from "@swarmgate/redis";
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Each contender: `setup()` returns `acquire()`, resolving to the Redis time of the decision
// when admitted (swarmgate; `true` for the others), or false when refused; and `close()`.
const contenders = {
  async swarmgate(c) {
    const store = redisStore({ url: c.url, prefix: c.prefix, prefetch: c.prefetch ?? 0, logger: () => {} });
    const group = store.windows("bench", "api", [
      { name: "w", limit: c.limit, windowMs: c.windowMs, kind: "fixed" },
    ]);
    return {
      async acquire() {
        const r = await group.tryAcquire(1, Date.now());
        return r.ok ? (r.decidedAt ?? true) : false;
      },
      close: () => store.close(),
    };
  },
  async "rate-limiter-flexible"(c) {
    const client = new Redis(c.url, { enableOfflineQueue: false });
    await new Promise((resolve) => client.once("ready", resolve));
    const limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: c.prefix,
      points: c.limit,
      duration: c.windowMs / 1000,
    });
    return {
      acquire: () =>
        limiter.consume("bench", 1).then(
          () => true,
          (e) => {
            if (e instanceof Error) throw e;
            return false;
          },
        ),
      close: async () => client.disconnect(),
    };
  },
  async bottleneck(c) {
    const limiter = new Bottleneck({
      id: c.prefix,
      datastore: "ioredis",
      clientOptions: { host: "127.0.0.1", port: Number(new URL(c.url).port || 6379) },
      clearDatastore: false,
      reservoir: c.limit,
      reservoirRefreshAmount: c.limit,
      reservoirRefreshInterval: c.windowMs,
      maxConcurrent: null,
      minTime: 0,
      timeout: 60_000,
    });
    await limiter.ready();
    return {
      acquire: () => limiter.schedule(() => Promise.resolve(true)),
      close: () => limiter.disconnect(true),
    };
  },
};

process.once("message", async (config) => {
  const contender = await contenders[config.contender](config);
  process.send({ ready: true });
  process.once("message", async ({ startAt, endAt }) => {
    const latencies = [];
    const decisions = [];
    let admitted = 0;
    let refused = 0;
    await sleep(Math.max(0, startAt - Date.now()));
    const loop = async () => {
      while (Date.now() < endAt) {
        const t0 = performance.now();
        const result = await contender.acquire();
        const t1 = performance.now();
        if (result === false) {
          refused++;
          await sleep(1);
          continue;
        }
        admitted++;
        latencies.push(t1 - t0);
        if (config.audit && typeof result === "number") decisions.push(result);
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, loop));
    await contender.close();
    // Exit only once the report is flushed to the parent.
    process.send({ admitted, refused, latencies: sample(latencies, 20_000), decisions }, () =>
      process.exit(0),
    );
  });
});

// Latencies for percentiles: a uniform sample keeps the message small.
function sample(values, n) {
  if (values.length <= n) return values;
  const step = values.length / n;
  return Array.from({ length: n }, (_, i) => values[Math.floor(i * step)]);
}
