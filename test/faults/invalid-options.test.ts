import { FakeListChatModel } from "@langchain/core/utils/testing";
import {
  attemptTimeoutPolicy,
  type CallInfo,
  createGovernor,
  type Governor,
  type GovernorOptions,
  ManualClock,
  presets,
  quotaPolicy,
} from "@swarmgate/core";
import { GovernedInferenceClient, governedFetch } from "@swarmgate/huggingface";
import {
  ChatHuggingFace,
  GovernorCallbackHandler,
  HuggingFaceInference,
  HuggingFaceInferenceEmbeddings,
  withGovernor,
} from "@swarmgate/langchain";
import { startTelemetry } from "@swarmgate/otel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durationFlag, parseFlags } from "../../packages/cli/src/args.js";
import { plan } from "../../packages/cli/src/plan.js";
import { redisStore } from "../../packages/redis/src/redis-store.js";

// Every invalid option of every package, each with the exact TypeError it must throw at
// construction (or, for a call's info, the rejection `run` returns before the call exists).
const TIMER = "(2³¹−1 ms, about 24.8 days, is the longest a timer can hold)";
const tooLong = (name: string, min: number, infinity = false) =>
  `Expected \`${name}\` to be a duration in ms from ${min} to 2147483647${infinity ? " or Infinity" : ""} ${TIMER}, got \`3000000000\` (number)`;

const governorRows: [string, GovernorOptions, string][] = [
  [
    "a misspelt top-level option",
    { retyr: { maxAttempts: 2 } } as never,
    "Unknown option `retyr` in `createGovernor` options; did you mean `retry`?",
  ],
  [
    "an unknown option nothing is close to",
    { zzzzzzzz: 1 } as never,
    "Unknown option `zzzzzzzz` in `createGovernor` options",
  ],
  [
    "a wrong case",
    { attempttimeoutms: 5 } as never,
    "Unknown option `attempttimeoutms` in `createGovernor` options; did you mean `attemptTimeoutMs`?",
  ],
  [
    "a missing unit suffix",
    { retry: { maxDelay: 5 } } as never,
    "Unknown option `maxDelay` in `retry`; did you mean `maxDelayMs`?",
  ],
  [
    "retry.budget",
    { retry: { budget: { ratoi: 0.1 } } } as never,
    "Unknown option `ratoi` in `retry.budget`; did you mean `ratio`?",
  ],
  [
    "concurrency",
    { concurrency: { maxx: 3 } } as never,
    "Unknown option `maxx` in `concurrency`; did you mean `max`?",
  ],
  [
    "concurrency.adaptive",
    { concurrency: { adaptive: { decrese: 0.5 } } } as never,
    "Unknown option `decrese` in `concurrency.adaptive`; did you mean `decrease`?",
  ],
  [
    "breaker",
    { breaker: { resetTimeout: 1_000 } } as never,
    "Unknown option `resetTimeout` in `breaker`; did you mean `resetTimeoutMs`?",
  ],
  [
    "budget",
    { budget: { monthlyUSD: 1 } } as never,
    "Unknown option `monthlyUSD` in `budget`; did you mean `monthlyUsd`?",
  ],
  [
    "a window",
    { quotas: { api: [{ limit: 10, windowMs: 1_000, smothing: { burst: 1 } }] } } as never,
    "Unknown option `smothing` in `quotas.api[0]`; did you mean `smoothing`?",
  ],
  [
    "a window's smoothing",
    { quotas: { api: [{ limit: 10, windowMs: 1_000, smoothing: { brust: 1 } }] } } as never,
    "Unknown option `brust` in `quotas.api[0].smoothing`; did you mean `burst`?",
  ],
  [
    "telemetry",
    { telemetry: { captureContents: true } } as never,
    "Unknown option `captureContents` in `telemetry`; did you mean `captureContent`?",
  ],
  // Cross-field rules.
  [
    "a burst above the window's limit",
    { quotas: { api: [{ limit: 10, windowMs: 1_000, smoothing: { burst: 11 } }] } },
    "Expected `quotas.api[0].smoothing.burst` to be at most the window's limit (10), got `11` (number)",
  ],
  [
    "baseDelayMs above maxDelayMs",
    { retry: { baseDelayMs: 5_000, maxDelayMs: 1_000 } },
    "Expected `retry.baseDelayMs` to be at most retry.maxDelayMs (1000), got `5000` (number)",
  ],
  [
    "concurrency.initial above max",
    { concurrency: { initial: 20, max: 10 } },
    "Expected `concurrency.initial` to be at most concurrency.max (10), got `20` (number)",
  ],
  [
    "adaptive.min above max",
    { concurrency: { initial: 2, max: 4, adaptive: { decrease: 0.5, min: 5 } } },
    "Expected `concurrency.adaptive.min` to be at most concurrency.max (4), got `5` (number)",
  ],
  [
    "a clock without clearTimeout",
    { clock: { now: () => 0, setTimeout: () => 1 } as never },
    "Expected `clock` to be a Clock ({ now, setTimeout, clearTimeout }), got an object",
  ],
  // Durations a timer cannot hold.
  ["attemptTimeoutMs", { attemptTimeoutMs: 3e9 }, tooLong("attemptTimeoutMs", 1, true)],
  ["totalTimeoutMs", { totalTimeoutMs: 3e9 }, tooLong("totalTimeoutMs", 1, true)],
  ["retry.maxDelayMs", { retry: { maxDelayMs: 3e9 } }, tooLong("retry.maxDelayMs", 0)],
  ["retry.baseDelayMs", { retry: { baseDelayMs: 3e9 } }, tooLong("retry.baseDelayMs", 0)],
  [
    "retry.budget.windowMs",
    { retry: { budget: { windowMs: 3e9 } } } as never,
    tooLong("retry.budget.windowMs", 10),
  ],
  ["concurrency.pollMs", { concurrency: { pollMs: 3e9 } }, tooLong("concurrency.pollMs", 1)],
  ["concurrency.rampMs", { concurrency: { rampMs: 3e9 } }, tooLong("concurrency.rampMs", 0)],
  ["breaker.resetTimeoutMs", { breaker: { resetTimeoutMs: 3e9 } }, tooLong("breaker.resetTimeoutMs", 1)],
  ["breaker.rollingWindowMs", { breaker: { rollingWindowMs: 3e9 } }, tooLong("breaker.rollingWindowMs", 10)],
  [
    "a window's length",
    { quotas: { api: [{ limit: 1, windowMs: 3e9 }] } },
    tooLong("quotas.api[0].windowMs", 1),
  ],
  // Wrong types.
  [
    "concurrencyClasses with a number",
    { concurrencyClasses: ["inference", 3 as never] },
    "Expected `concurrencyClasses` to be an array of request classes (non-empty strings), got an array",
  ],
  [
    "a tracer provider that is not one",
    { tracerProvider: {} as never },
    "Expected `tracerProvider` to be an OpenTelemetry TracerProvider, got an object",
  ],
  [
    "an unknown queue",
    { queue: "lifo" as never },
    'Expected `queue` to be one of "fifo", "priority", "fair-share", got `"lifo"` (string)',
  ],
  [
    "a negative budget",
    { budget: { monthlyUsd: -1 } },
    "Expected `budget.monthlyUsd` to be a finite number ≥ 0, got `-1` (number)",
  ],
  // Limits nobody publishes.
  [
    "an upstream decrease of 1 (no cut)",
    { upstream: { decrease: 1 } },
    "Expected `upstream.decrease` to be a number from 0.01 to 0.99, got `1` (number)",
  ],
  [
    "an upstream key that is not a function",
    { upstream: { key: "provider" } } as never,
    'Expected `upstream.key` to be a function, got `"provider"` (string)',
  ],
  [
    "an upstream option misspelt",
    { upstream: { learnrate: false } } as never,
    "Unknown option `learnrate` in `upstream`; did you mean `learnRate`?",
  ],
  ["upstream.maxPauseMs", { upstream: { maxPauseMs: 3e9 } }, tooLong("upstream.maxPauseMs", 0)],
  [
    "waitForProbe that is not a boolean",
    { breaker: { waitForProbe: "yes" } } as never,
    'Expected `breaker.waitForProbe` to be a boolean, got `"yes"` (string)',
  ],
  [
    "a negative maxThrottledAttempts",
    { retry: { maxThrottledAttempts: -1 } },
    "Expected `retry.maxThrottledAttempts` to be an integer ≥ 0, got `-1` (number)",
  ],
  [
    "smoothing.widen that is not a boolean",
    { quotas: { inference: [{ limit: 10, windowMs: 1_000, smoothing: { burst: 1, widen: 1 } }] } } as never,
    "Expected `quotas.inference[0].smoothing.widen` to be a boolean, got `1` (number)",
  ],
];

describe("createGovernor refuses every invalid option", () => {
  it.each(governorRows)("%s", (_what, options, message) => {
    expect(() => createGovernor(options)).toThrow(new TypeError(message));
  });

  it("presets and policy factories too", () => {
    expect(() => presets.huggingface({ teir: "pro" } as never)).toThrow(
      new TypeError("Unknown option `teir` in `presets.huggingface` options; did you mean `tier`?"),
    );
    expect(() => presets.huggingface({ tier: "toString" as never })).toThrow(
      new TypeError(
        'Expected `tier` to be one of "free", "pro", "team", "enterprise", got `"toString"` (string)',
      ),
    );
    expect(() => attemptTimeoutPolicy(3e9)).toThrow(new TypeError(tooLong("attemptTimeoutMs", 1, true)));
    expect(() =>
      createGovernor({
        policies: (defaults, kit) => [
          ...defaults,
          quotaPolicy(kit, { quotas: {}, reconcil: () => 1 } as never),
        ],
      }),
    ).toThrow(new TypeError("Unknown option `reconcil` in `quotaPolicy`; did you mean `reconcile`?"));
    console.log(`invalid options: ${governorRows.length + 4} createGovernor / preset / policy rows`);
  });
});

const infoRows: [string, unknown, string][] = [
  ["a signal that is not one", { signal: {} }, "Expected `info.signal` to be an AbortSignal, got an object"],
  ["an unknown key", { timeout: 10 }, "Unknown option `timeout` in the call info"],
  [
    "a misspelt key",
    { estimatedCost: 0.1 },
    "Unknown option `estimatedCost` in the call info; did you mean `estimatedCostUsd`?",
  ],
  [
    "a negative cost",
    { estimatedCostUsd: -5 },
    "Expected `info.estimatedCostUsd` to be a finite number ≥ 0, got `-5` (number)",
  ],
  [
    "a NaN cost",
    { estimatedCostUsd: Number.NaN },
    "Expected `info.estimatedCostUsd` to be a finite number ≥ 0, got `NaN` (number)",
  ],
  [
    "an infinite cost",
    { estimatedCostUsd: Number.POSITIVE_INFINITY },
    "Expected `info.estimatedCostUsd` to be a finite number ≥ 0, got `Infinity` (number)",
  ],
  [
    "a NaN priority",
    { priority: Number.NaN },
    "Expected `info.priority` to be a finite number, got `NaN` (number)",
  ],
  [
    "a zero timeout",
    { attemptTimeoutMs: 0 },
    tooLong("info.attemptTimeoutMs", 1, true).replace("`3000000000`", "`0`"),
  ],
  ["a timeout a timer cannot hold", { totalTimeoutMs: 3e9 }, tooLong("info.totalTimeoutMs", 1, true)],
  ["a model that is not a string", { model: 5 }, "Expected `info.model` to be a string, got `5` (number)"],
  [
    "attributes that are not an object",
    { attributes: "x" },
    'Expected `info.attributes` to be an object, got `"x"` (string)',
  ],
  [
    "info that is not an object",
    "chat",
    'Expected `info` to be an object (the call info), got `"chat"` (string)',
  ],
  ["info that is null", null, "Expected `info` to be an object (the call info), got `null`"],
];

describe("governor.run refuses bad call info before the call exists", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let governor: Governor;
  beforeAll(() => {
    process.on("unhandledRejection", onUnhandled);
    governor = createGovernor({ clock: new ManualClock(0), budget: { monthlyUsd: 1 } });
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await governor.close();
  });

  it.each(infoRows)("%s", async (_what, info, message) => {
    let called = false;
    const answer = governor.run(() => {
      called = true;
    }, info as CallInfo);
    // A rejected promise, never a synchronous throw; nothing was registered.
    expect(governor.stats().calls.started).toBe(0);
    await expect(answer).rejects.toThrow(new TypeError(message));
    expect(called).toBe(false);
  });

  it("a function that is not one, and nothing rejects later", async () => {
    await expect(governor.run("not a function" as never)).rejects.toThrow(
      new TypeError('Expected `fn` to be a function, got `"not a function"` (string)'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(governor.stats().calls.started).toBe(0);
    expect(unhandled).toEqual([]);
    console.log(`invalid call info: ${infoRows.length + 1} rows, 0 calls registered, 0 unhandled rejections`);
  });

  it("a negative cost cannot drive the ledger negative: a $1 budget admits at most $1", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 10));
    const g = createGovernor({ clock, budget: { monthlyUsd: 1, defaultEstimateUsd: 0.4 } });
    await expect(g.run(() => 1, { estimatedCostUsd: -5 })).rejects.toThrow(TypeError);
    // A reported cost is checked too: a negative one fails the attempt instead of refunding.
    await expect(g.run(({ reportUsage }) => reportUsage({ costUsd: -5 }))).rejects.toThrow(
      new TypeError("Expected `usage.costUsd` to be a finite number ≥ 0, got `-5` (number)"),
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => g.run(() => "ok")));
    const admitted = results.filter((r) => r.status === "fulfilled").length;
    const credits = (await g.snapshot()).credits;
    console.log(
      `$1 budget after a -5 estimate and a -5 report: ${admitted} of 4 calls of $0.40 admitted, $${credits?.spentUsd} spent`,
    );
    expect(admitted).toBe(2);
    expect(credits?.spentUsd).toBeCloseTo(0.8, 10);
    await g.close();
  });
});

describe("the adapters refuse every invalid option", () => {
  let governor: Governor;
  beforeAll(() => {
    governor = createGovernor({ clock: new ManualClock(0) });
  });
  afterAll(() => governor.close());

  it("@swarmgate/huggingface", () => {
    const rows: [() => unknown, string][] = [
      [
        () => governedFetch(governor, { baseURL: "http://localhost:1" } as never),
        "Unknown option `baseURL` in `governedFetch` options; did you mean `baseUrl`?",
      ],
      [
        () => governedFetch(governor, { retry_on_error: true } as never),
        "Expected `retry_on_error` to be false or absent (the governor owns retries), got `true` (boolean)",
      ],
      [
        () => governedFetch(governor, { defaultOutputTokens: -1 }),
        "Expected `defaultOutputTokens` to be a non-negative integer, got `-1` (number)",
      ],
      [
        () => governedFetch(governor, { priceBook: 3 as never }),
        "Expected `priceBook` to be a PriceBook or { [model]: Price }, got `3` (number)",
      ],
      [
        () => new GovernedInferenceClient("hf_x", { governor, priceBok: {} } as never),
        "Unknown option `priceBok` in `GovernedInferenceClient` options; did you mean `priceBook`?",
      ],
      [
        () => new GovernedInferenceClient("hf_x", { governor, retry_on_error: true }),
        "Expected `retry_on_error` to be false or absent (the governor owns retries), got `true` (boolean)",
      ],
    ];
    for (const [make, message] of rows) expect(make).toThrow(new TypeError(message));
    // The client's own options pass.
    expect(
      () =>
        new GovernedInferenceClient("hf_x", {
          governor,
          billTo: "org",
          includeCredentials: false,
          retry_on_error: false,
        }),
    ).not.toThrow();
  });

  it("@swarmgate/redis (refused before any connection)", () => {
    const url = "redis://127.0.0.1:1";
    const rows: [() => unknown, string][] = [
      [
        () => redisStore({ url, prefx: "a" } as never),
        "Unknown option `prefx` in `redisStore` options; did you mean `prefix`?",
      ],
      [
        () => redisStore({ url, fallbackshare: 0.5 } as never),
        "Unknown option `fallbackshare` in `redisStore` options; did you mean `fallbackShare`?",
      ],
      [() => redisStore({ url, leaseTtlMs: 3e9 }), tooLong("leaseTtlMs", 100)],
      [() => redisStore({ url, retryMs: 3e9 }), tooLong("retryMs", 1)],
      [() => redisStore({ url, commandTimeoutMs: 3e9 }), tooLong("commandTimeoutMs", 1)],
      [
        () => redisStore({ url, leaseTtlMs: 1_000, heartbeatMs: 1_000 }),
        "Expected `heartbeatMs` to be less than leaseTtlMs (1000), got `1000` (number)",
      ],
      [
        () => redisStore({ url, fallbackShare: 0 }),
        "Expected `fallbackShare` to be a number greater than 0 and at most 1, got `0` (number)",
      ],
    ];
    for (const [make, message] of rows) expect(make).toThrow(new TypeError(message));
  });

  it("@swarmgate/otel (refused before anything is set up)", async () => {
    await expect(startTelemetry({ serviceNme: "x" } as never)).rejects.toThrow(
      new TypeError("Unknown option `serviceNme` in `startTelemetry` options; did you mean `serviceName`?"),
    );
    await expect(startTelemetry({ otlpMetrics: { interval: 5 } } as never)).rejects.toThrow(
      new TypeError("Unknown option `interval` in `otlpMetrics`; did you mean `intervalMs`?"),
    );
    await expect(startTelemetry({ otlpMetrics: { intervalMs: 3e9 } })).rejects.toThrow(
      new TypeError(tooLong("otlpMetrics.intervalMs", 1)),
    );
    await expect(startTelemetry({ otlpEndpoint: "localhost:4318" })).rejects.toThrow(
      new TypeError(
        'Expected `otlpEndpoint` to be an http:// or https:// URL, or false, got `"localhost:4318"` (string)',
      ),
    );
    await expect(startTelemetry({ secrets: ["a", 1 as never] })).rejects.toThrow(
      new TypeError("Expected `secrets` to be an array of strings, got an array"),
    );
  });

  it("@swarmgate/langchain: typos of swarmgate's, the model's and LangChain's fields; LangChain's own pass", () => {
    const model = "meta-llama/Llama-3.1-8B-Instruct";
    const rows: [() => unknown, string][] = [
      [
        () => new ChatHuggingFace({ model, governor, baseURL: "http://x" } as never),
        "Unknown option `baseURL` in `ChatHuggingFace` fields; did you mean `baseUrl`?",
      ],
      [
        () => new ChatHuggingFace({ model, governor, maxToken: 5 } as never),
        "Unknown option `maxToken` in `ChatHuggingFace` fields; did you mean `maxTokens`?",
      ],
      [
        () => new HuggingFaceInference({ model, governor, stopSequence: ["x"] } as never),
        "Unknown option `stopSequence` in `HuggingFaceInference` fields; did you mean `stopSequences`?",
      ],
      [
        () => new HuggingFaceInferenceEmbeddings({ governor, batchsize: 3 } as never),
        "Unknown option `batchsize` in `HuggingFaceInferenceEmbeddings` fields; did you mean `batchSize`?",
      ],
      [
        () => new ChatHuggingFace({ model, governor, callback: [] } as never),
        "Unknown option `callback` in `ChatHuggingFace` fields; did you mean `callbacks`?",
      ],
      [
        () =>
          withGovernor(new FakeListChatModel({ responses: ["a"] }), governor, { breakerkey: "x" } as never),
        "Unknown option `breakerkey` in `withGovernor` options; did you mean `breakerKey`?",
      ],
      [
        () => new GovernorCallbackHandler({ span: false } as never),
        "Unknown option `span` in `GovernorCallbackHandler` options; did you mean `spans`?",
      ],
    ];
    for (const [make, message] of rows) expect(make).toThrow(new TypeError(message));
    // LangChain's own fields, and ones far from every known name, go to LangChain untouched.
    expect(
      () =>
        new ChatHuggingFace({
          model,
          governor,
          tags: ["a"],
          verbose: false,
          outputVersion: "v0",
          someFutureLangChainField: 1,
        } as never),
    ).not.toThrow();
  });

  it("@swarmgate/cli", () => {
    expect(() => plan({ agents: 1, callsPerMinute: 1, tier: "pro", hoursPerday: 3 } as never)).toThrow(
      new TypeError("Unknown option `hoursPerday` in `plan` input; did you mean `hoursPerDay`?"),
    );
    expect(() => parseFlags(["--tmeScale", "3"], { timeScale: { type: "string" } }, "usage")).toThrow(
      "Unknown option '--tmeScale'; did you mean '--timeScale'?",
    );
    expect(() => durationFlag("duration", "1000h", "usage")).toThrow(
      'Expected `--duration` to be at most 596h (2³¹−1 ms, the longest a timer can hold), got "1000h"',
    );
  });
});
