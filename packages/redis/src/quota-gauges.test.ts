import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { createGovernor, type Governor } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const prefix = uniquePrefix("gauges");
let store: RedisStore | undefined;
let governor: Governor | undefined;

afterAll(async () => {
  await governor?.close();
  await store?.close();
  await deleteKeys(prefix);
});

describe("quota gauges with a Redis store", () => {
  it("report the windows kept in Redis", async () => {
    store = redisStore({ url: SHARED_REDIS_URL, prefix, logger: () => {} });
    const reader = new TestReader();
    governor = createGovernor({
      name: "gauges",
      store,
      meterProvider: new MeterProvider({ readers: [reader] }),
      quotas: { inference: [{ limit: 10, windowMs: 60_000 }] },
      concurrency: false,
      breaker: false,
    });
    await governor.run(async () => "one");
    await governor.run(async () => "two");
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === "swarmgate.ratelimit.remaining")
      .flatMap((m) => m.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]);
    expect(points.map((p) => [p.attributes["swarmgate.request_class"], p.value])).toEqual([["inference", 8]]);
  });
});
