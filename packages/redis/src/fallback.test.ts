import type { ChildProcess } from "node:child_process";
import type { MeterProvider } from "@opentelemetry/api";
import { createGovernor } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { eventually, freePort, kill, startRedisServer, uniquePrefix } from "./test-support.js";

const children: ChildProcess[] = [];
const stores: RedisStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(children.map((c) => kill(c)));
});

/** A meter provider that only remembers the `swarmgate.store.fallback` callback. */
function fakeMeters() {
  const callbacks: ((r: { observe(v: number): void }) => void)[] = [];
  const provider = {
    getMeter: () => ({
      createObservableGauge: () => ({
        addCallback: (cb: (r: { observe(v: number): void }) => void) => callbacks.push(cb),
        removeCallback: () => {},
      }),
    }),
  } as unknown as MeterProvider;
  const read = () => {
    let value = Number.NaN;
    for (const cb of callbacks) cb({ observe: (v) => (value = v) });
    return value;
  };
  return { provider, read };
}

describe("fallback", () => {
  it("starts without Redis, goes to Redis when it appears, survives its death and its return", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const meters = fakeMeters();
    const store = redisStore({
      url: `redis://127.0.0.1:${port}`,
      prefix: uniquePrefix("fallback"),
      fallbackShare: 0.5,
      commandTimeoutMs: 200,
      retryMs: 50,
      logger: (line) => lines.push(line),
      meterProvider: meters.provider,
    });
    stores.push(store);
    const governor = createGovernor({
      name: "fallback-test",
      store,
      quotas: { inference: [{ name: "1m", limit: 1_000, windowMs: 60_000 }] },
      concurrency: { initial: 8, max: 8, rampMs: 0, pollMs: 10 },
      retry: false,
      breaker: false,
    });
    const burst = () => Promise.all(Array.from({ length: 40 }, (_, i) => governor.run(async () => i)));

    // Redis unreachable at start: calls are answered locally, once reported.
    expect(await burst()).toHaveLength(40);
    expect(store.status).toBe("fallback");
    expect(meters.read()).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/unreachable.*50% of each quota/);

    // Redis appears: the store goes back to it without a restart.
    const first = await startRedisServer(port);
    children.push(first);
    expect(await eventually(async () => (await burst()).length === 40 && store.status === "connected")).toBe(
      true,
    );
    expect(meters.read()).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/answers again/);

    // Redis dies mid-run: calls in flight and new calls all settle.
    const during = burst();
    await kill(first);
    expect(await during).toHaveLength(40);
    expect(await burst()).toHaveLength(40);
    expect(store.status).toBe("fallback");
    expect(lines).toHaveLength(3);

    // Redis comes back on the same port.
    children.push(await startRedisServer(port));
    expect(await eventually(async () => (await burst()).length === 40 && store.status === "connected")).toBe(
      true,
    );
    expect(lines).toHaveLength(4);
    const [w] = (await governor.snapshot()).windows.inference ?? [];
    expect(w?.limit).toBe(1_000); // the shared window, not the fallback's 500
    await governor.close();
  });

  it("scales the fallback's limits by fallbackShare", async () => {
    const store = redisStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      prefix: uniquePrefix("share"),
      fallbackShare: 0.25,
      commandTimeoutMs: 100,
      logger: () => {},
    });
    stores.push(store);
    const group = store.windows("scope", "api", [{ name: "w", limit: 40, windowMs: 60_000, kind: "fixed" }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => group.tryAcquire(1, Date.now())));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const pool = store.slots("scope");
    const leases = await Promise.all(Array.from({ length: 5 }, () => pool.tryAcquire(8, Date.now())));
    expect(leases.filter((l) => l !== undefined)).toHaveLength(2);
    const breaker = store.breaker("scope", "k");
    const now = Date.now();
    await breaker.open(now + 1_000, now);
    expect(await breaker.openUntil(now)).toBe(now + 1_000);
    expect(await breaker.tryProbe(now)).toBe(false);
  });
});
