import { afterEach, describe, expect, it } from "vitest";
import { isPolicyError, UpstreamError } from "./errors.js";
import { createGovernor, type Governor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";
import type { GovernorOptions } from "./options.js";
import type { Policy } from "./policy.js";

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

function setup(options: GovernorOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const governor = createGovernor({
    name: "compose",
    clock,
    retry: { random: () => 0.5, budget: false, baseDelayMs: 100 },
    concurrency: { initial: 4, max: 4, rampMs: 0 },
    ...options,
  });
  governors.push(governor);
  return { clock, governor };
}

const recording = (name: string, log: string[]): Policy => ({
  name,
  async execute(ctx, next) {
    log.push(`${name}>`);
    try {
      return await next(ctx);
    } finally {
      log.push(`<${name}`);
    }
  },
});

describe("the pipeline", () => {
  it("is budget → retry → breaker → quota → concurrency → upstream → attempt-timeout by default", () => {
    const { governor } = setup({
      budget: { monthlyUsd: 1 },
      quotas: { inference: [{ limit: 5, windowMs: 1_000 }] },
    });
    expect(governor.policies.map((p) => p.name)).toEqual([
      "budget",
      "retry",
      "breaker",
      "quota",
      "concurrency",
      "upstream",
      "attempt-timeout",
    ]);
    expect(
      setup({ breaker: false, concurrency: false, upstream: false }).governor.policies.map((p) => p.name),
    ).toEqual(["retry", "attempt-timeout"]);
  });

  it("runs policies outer to inner and unwinds inner to outer", async () => {
    const log: string[] = [];
    const { governor } = setup({
      policies: () => [recording("a", log), recording("b", log), recording("c", log)],
    });
    await governor.run(() => log.push("fn"));
    expect(log).toEqual(["a>", "b>", "c>", "fn", "<c", "<b", "<a"]);
  });

  it("lets a user policy between retry and breaker see every attempt", async () => {
    const attempts: number[] = [];
    const { clock, governor } = setup({
      policies: (defaults) => {
        const i = defaults.findIndex((p) => p.name === "retry");
        const spy: Policy = {
          name: "spy",
          execute: (ctx, next) => {
            attempts.push(ctx.attempt);
            return next(ctx);
          },
        };
        return [...defaults.slice(0, i + 1), spy, ...defaults.slice(i + 1)];
      },
    });
    expect(governor.policies.map((p) => p.name)).toEqual([
      "retry",
      "spy",
      "breaker",
      "concurrency",
      "upstream",
      "attempt-timeout",
    ]);
    const call = governor.run(({ attempt }) => {
      if (attempt < 3) throw new UpstreamError("HTTP 503", 503);
      return "third time";
    });
    await clock.runAll();
    await expect(call).resolves.toBe("third time");
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("retries under a user policy placed outside retry, which sees only the final answer", async () => {
    const seen: unknown[] = [];
    const outer: Policy = {
      name: "outer",
      execute: (ctx, next) =>
        next(ctx).then(
          (value) => {
            seen.push(value);
            return `outer(${String(value)})` as never;
          },
          (error: Error) => {
            seen.push(error.message);
            throw error;
          },
        ),
    };
    const { clock, governor } = setup({ policies: (defaults) => [outer, ...defaults] });
    const call = governor.run(({ attempt }) => {
      if (attempt < 3) throw new UpstreamError("HTTP 503", 503);
      return "ok";
    });
    await clock.runAll();
    await expect(call).resolves.toBe("outer(ok)");
    expect(seen).toEqual(["ok"]);
    expect(governor.stats()).toMatchObject({ attempts: 3, retries: { overloaded: 2 } });
  });

  it("sends an attempt elsewhere when a policy passes `ctx.withInfo(…)` to next", async () => {
    const { clock, governor } = setup({
      policies: (defaults) => {
        const failover: Policy = {
          name: "failover",
          execute: (ctx, next) => next(ctx.attempt > 1 ? ctx.withInfo({ provider: "backup" }) : ctx),
        };
        return [defaults[0]!, failover, ...defaults.slice(1)];
      },
    });
    const providers: (string | undefined)[] = [];
    const call = governor.run(
      ({ info }) => {
        providers.push(info.provider);
        if (info.provider === "primary") throw new UpstreamError("HTTP 500", 500);
        return info.provider;
      },
      { provider: "primary" },
    );
    await clock.runAll();
    await expect(call).resolves.toBe("backup");
    expect(providers).toEqual(["primary", "backup"]);
    expect(Object.keys(governor.stats().breakers).sort()).toEqual(["backup", "primary"]);
  });

  it("settles once with a PolicyError when a policy calls next twice, and frees the slot once", async () => {
    let ran = 0;
    const { governor } = setup({
      retry: false,
      policies: (defaults) => [
        {
          name: "greedy",
          execute: async (ctx, next) => {
            await next(ctx);
            return next(ctx);
          },
        },
        ...defaults,
      ],
    });
    const ended: unknown[] = [];
    governor.on("callEnd", (e) => ended.push(e.outcome));
    await expect(governor.run(() => ++ran)).rejects.toSatisfy(isPolicyError);
    expect(ran).toBe(1);
    expect(ended).toEqual(["error"]);
    expect(governor.stats().concurrency).toMatchObject({ inFlight: 0, queued: 0 });
    expect(governor.stats().calls).toMatchObject({ started: 1, settled: 1, inFlight: 0 });
  });

  it("settles once with the error of a policy that throws, before or after next", async () => {
    const { governor } = setup({
      policies: (defaults) => [
        ...defaults.slice(0, -1),
        {
          name: "thrower",
          execute: (ctx, next) => {
            if (ctx.info.model === "before") throw new Error("thrown before next");
            return next(ctx).then(() => {
              throw new Error("thrown after next");
            });
          },
        },
        defaults[defaults.length - 1]!,
      ],
    });
    await expect(governor.run(() => 1, { model: "before" })).rejects.toThrow("thrown before next");
    await expect(governor.run(() => 1, { model: "after" })).rejects.toThrow("thrown after next");
    expect(governor.stats()).toMatchObject({
      calls: { started: 2, settled: 2, inFlight: 0 },
      concurrency: { inFlight: 0 },
      outcomes: { error: 2 },
    });
  });

  it("accepts a policy that answers with a plain value without calling next", async () => {
    const { governor } = setup({
      policies: (defaults) => [{ name: "cache", execute: () => "cached" as never }, ...defaults],
    });
    let called = false;
    await expect(governor.run(() => (called = true))).resolves.toBe("cached");
    expect(called).toBe(false);
  });
});

describe("the policies and queue options", () => {
  const bad: [string, GovernorOptions, RegExp][] = [
    [
      "policies not a function",
      { policies: [] as never },
      /Expected `policies` to be a function, got an array/,
    ],
    [
      "policies returns no array",
      { policies: () => ({}) as never },
      /Expected `policies` to be a function that returns an array of policies, got an object/,
    ],
    [
      "an element not a policy",
      { policies: () => [null as never] },
      /Expected `policies\[0\]` to be a policy/,
    ],
    [
      "a policy without a name",
      { policies: () => [{ execute: () => Promise.resolve() } as never] },
      /Expected `policies\[0\]\.name` to be a non-empty string/,
    ],
    [
      "a policy without execute",
      { policies: (d) => [...d, { name: "nope" } as never] },
      /Expected `policies\[4\] \("nope"\)\.execute` to be a function/,
    ],
    [
      "a hook that is not a function",
      { policies: () => [{ name: "x", execute: () => Promise.resolve(), close: 1 } as never] },
      /Expected `policies\[0\] \("x"\)\.close` to be a function/,
    ],
    [
      "an unknown queue",
      { queue: "lifo" as never },
      /Expected `queue` to be one of "fifo", "priority", "fair-share", got `"lifo"`/,
    ],
  ];
  for (const [what, options, message] of bad)
    it(`throws a TypeError at construction: ${what}`, () => {
      expect(() =>
        createGovernor({ concurrency: { initial: 1, max: 1 }, breaker: false, ...options }),
      ).toThrow(new RegExp(message.source));
      expect(() =>
        createGovernor({ concurrency: { initial: 1, max: 1 }, breaker: false, ...options }),
      ).toThrow(TypeError);
    });
});
