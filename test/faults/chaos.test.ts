import {
  type AttemptContext,
  type CallInfo,
  createGovernor,
  type Governor,
  ManualClock,
  type Policy,
  UpstreamError,
} from "@swarmgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Thousands of calls through a real governor (quota + concurrency + retry + breaker + budget)
// on fake time, with aborts at every stage, odd functions and close() at random moments.
// Reproducible: CHAOS_SEED=<n> replays a run; the seed is printed.
const SEED = Number(process.env.CHAOS_SEED ?? 20_261_202);
const ROUNDS = 5;
const CALLS_PER_ROUND = 1_000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Stage = "before start" | "waiting for a permit" | "waiting for a slot" | "in an attempt" | "in backoff";

interface Tracked {
  stage: Stage;
  settled: number;
  ends: number;
  lateStarts: number;
  /** Aborts soon after the call enters this stage (`undefined`: at a random moment, or never). */
  abortIn: Stage | undefined;
  abort: (() => void) | undefined;
}

const STAGES: readonly Stage[] = [
  "waiting for a permit",
  "waiting for a slot",
  "in an attempt",
  "in backoff",
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on("unhandledRejection", onUnhandled));
afterAll(() => process.off("unhandledRejection", onUnhandled));

const throwing = (): object =>
  Object.defineProperties(
    {},
    Object.fromEntries(
      ["status", "statusCode", "code", "message", "name", "cause", "response", "stack"].map((k) => [
        k,
        {
          get() {
            throw new Error(`getter ${k}`);
          },
          enumerable: true,
        },
      ]),
    ),
  );

function oddRejection(r: () => number): unknown {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const badMessage = new Error("x");
  Object.defineProperty(badMessage, "message", {
    get() {
      throw new Error("message getter");
    },
  });
  const values: (() => unknown)[] = [
    () => undefined,
    () => null,
    () => "a plain string",
    () => Symbol("reason"),
    () => 42,
    () => Object.freeze({ status: 503 }),
    () => Object.freeze(new UpstreamError("frozen 500", 500)),
    throwing,
    () => badMessage,
    () => revoked.proxy,
  ];
  return values[Math.floor(r() * values.length)]!();
}

// A thenable is what this suite is about; the name is kept out of literals for the linter.
const THEN = ["th", "en"].join("");
// A foreign thenable (not a Promise) with the given `then`.
const thenable = (then: (ok: (v: unknown) => void, ko: (e: unknown) => void) => void): object =>
  Object.defineProperty({}, THEN, { value: then, enumerable: true });

// Every kind of function a careless caller passes: returns a value, a promise, a foreign
// thenable that throws, settles twice or never, or rejects with something that is not an Error.
function oddFunction(r: () => number, clock: ManualClock): (ctx: AttemptContext) => unknown {
  const later = <T>(ms: number, f: () => T) =>
    new Promise<T>((resolve, reject) =>
      clock.setTimeout(() => {
        try {
          resolve(f());
        } catch (e) {
          reject(e);
        }
      }, ms),
    );
  const kind = Math.floor(r() * 16);
  const ms = Math.floor(r() * 200);
  switch (kind) {
    case 0:
      return () => "sync value";
    case 1:
      return () => {
        throw new Error("sync throw");
      };
    case 2:
      return () =>
        thenable(() => {
          throw new Error("then throws");
        });
    case 3:
      return () =>
        thenable((ok, ko) => {
          ok("first");
          ko(new Error("then rejects too"));
          ok("again");
        });
    case 4:
      return () => thenable(() => {}); // never settles: the attempt timeout ends it
    case 5:
      return () => new Promise(() => {}); // never settles, ignores the signal
    case 6:
      return () =>
        Object.defineProperty({}, THEN, {
          get() {
            throw new Error("then getter");
          },
        });
    case 7: {
      const reason = oddRejection(r);
      return () => later(ms, () => Promise.reject(reason));
    }
    case 8: {
      const reason = oddRejection(r);
      return () => thenable((_ok, ko) => ko(reason));
    }
    case 9:
      return () => later(ms, () => Promise.reject(new UpstreamError("overloaded", 503)));
    case 10:
      return () => later(ms, () => Promise.reject(new UpstreamError("throttled", 429)));
    case 11:
      return ({ signal }) =>
        new Promise((resolve, reject) => {
          const handle = clock.setTimeout(() => resolve("honours its signal"), ms);
          signal.addEventListener("abort", () => {
            clock.clearTimeout(handle);
            reject(signal.reason);
          });
        });
    case 12:
      return ({ attempt }) =>
        attempt === 1
          ? later(ms, () => Promise.reject(new UpstreamError("first fails", 500)))
          : "second works";
    default:
      return ({ reportUsage }) =>
        later(ms, () => {
          reportUsage({ inputTokens: 10, outputTokens: 5, costUsd: 0.0005 });
          return { ok: true };
        });
  }
}

interface RoundFigures {
  calls: number;
  registered: number;
  refusedAtEntry: number;
  outcomes: Record<string, number>;
  aborts: Record<Stage, number>;
  lost: number;
  settledTwice: number;
  endedTwice: number;
  lateStarts: number;
  slotsLeft: number;
  queuedLeft: number;
  permitsWaiting: number;
  timersLeft: number;
  maxInFlight: number;
  closedAt: number | undefined;
  negativeLedger: boolean;
}

async function round(seed: number, closeAt: number | undefined): Promise<RoundFigures> {
  const r = prng(seed);
  const clock = new ManualClock(Date.UTC(2026, 0, 10));
  const calls = new Map<CallInfo, Tracked>();
  // A call enters a stage: a call meant to be aborted there is aborted a little later.
  const enter = (t: Tracked | undefined, stage: Stage) => {
    if (!t) return;
    t.stage = stage;
    if (t.abortIn === stage && t.abort) {
      const abort = t.abort;
      t.abort = undefined;
      clock.setTimeout(abort, Math.floor(r() * 30));
    }
  };
  const mark = (stage: Stage): Policy => ({
    name: `mark-${stage}`,
    execute(ctx, next) {
      enter(calls.get(ctx.info), stage);
      return next(ctx);
    },
  });
  const governor: Governor = createGovernor({
    name: `chaos-${seed}`,
    clock,
    quotas: { inference: [{ limit: 100, windowMs: 1_000, smoothing: { burst: 20 } }] },
    concurrency: { initial: 6, max: 6, rampMs: 0, maxQueue: 400 },
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, random: r, budget: false },
    // Rolling window and reset far beyond the test's wall time: opossum's own timers never
    // fire mid-run, so the run is the same every time.
    breaker: {
      volumeThreshold: 30,
      errorThresholdPercentage: 60,
      resetTimeoutMs: 600_000,
      rollingWindowMs: 600_000,
    },
    // The always-down upstream must open its breaker: no outage pause holds it first.
    upstream: { outagePauseMs: 0 },
    budget: { monthlyUsd: 0.15, defaultEstimateUsd: 0.0005 },
    attemptTimeoutMs: 250,
    totalTimeoutMs: 4_000,
    policies: (defaults) =>
      defaults.flatMap((p) =>
        p.name === "quota"
          ? [mark("waiting for a permit"), p]
          : p.name === "concurrency"
            ? [mark("waiting for a slot"), p]
            : [p],
      ),
  });
  governor.on("retry", (e) => enter(calls.get(e.info), "in backoff"));
  governor.on("callEnd", (e) => {
    const t = calls.get(e.info);
    if (t) t.ends++;
  });

  const figures: RoundFigures = {
    calls: CALLS_PER_ROUND,
    registered: 0,
    refusedAtEntry: 0,
    outcomes: {},
    aborts: {
      "before start": 0,
      "waiting for a permit": 0,
      "waiting for a slot": 0,
      "in an attempt": 0,
      "in backoff": 0,
    },
    lost: 0,
    settledTwice: 0,
    endedTwice: 0,
    lateStarts: 0,
    slotsLeft: 0,
    queuedLeft: 0,
    permitsWaiting: 0,
    timersLeft: 0,
    maxInFlight: 0,
    closedAt: closeAt,
    negativeLedger: false,
  };
  const pending = new Set<Promise<unknown>>();
  const count = (outcome: string) => {
    figures.outcomes[outcome] = (figures.outcomes[outcome] ?? 0) + 1;
  };
  const outcomeOf = (e: unknown) => {
    try {
      if (e instanceof TypeError) return "TypeError";
      if (e instanceof Error && e.message.startsWith("aborted")) return "aborted (the signal's reason)";
      const code = (e as { code?: unknown } | null)?.code;
      return typeof code === "string" ? code : "function's own error";
    } catch {
      return "function's own error"; // the function's own unreadable reason, handed back as it was
    }
  };

  const start = () => {
    const roll = r();
    const controller = roll < 0.35 ? new AbortController() : undefined;
    const info: Record<string, unknown> = {
      operation: "chat",
      model: "m",
      breakerKey: `p${Math.floor(r() * 4)}`,
      estimatedCostUsd: r() < 0.5 ? undefined : 0.0002 + r() * 0.001,
      ...(controller ? { signal: controller.signal } : {}),
    };
    // One upstream always fails: its breaker opens.
    let fn: unknown =
      info.breakerKey === "p3"
        ? () => Promise.reject(new UpstreamError("always down", 500))
        : oddFunction(r, clock);
    const odd = r();
    if (odd < 0.01) fn = "not a function";
    else if (odd < 0.02) info.signal = {};
    else if (odd < 0.03) info.estimatedCostUsd = -5;
    else if (odd < 0.04) info.timeout = 10;
    const tracked: Tracked = {
      stage: "before start",
      settled: 0,
      ends: 0,
      lateStarts: 0,
      abortIn: undefined,
      abort: undefined,
    };
    calls.set(info as CallInfo, tracked);
    const user = fn as (ctx: AttemptContext) => unknown;
    const wrapped =
      typeof fn === "function"
        ? (ctx: AttemptContext) => {
            if (tracked.settled > 0) tracked.lateStarts++;
            enter(tracked, "in an attempt");
            return user(ctx);
          }
        : fn;
    if (controller && roll < 0.05) {
      controller.abort(new Error("aborted before start"));
      figures.aborts["before start"]++;
    }
    const statsBefore = governor.stats().calls.started;
    const promise = governor.run(wrapped as never, info as CallInfo);
    if (governor.stats().calls.started > statsBefore) figures.registered++;
    else if (!governor.closed) figures.refusedAtEntry++;
    pending.add(promise);
    promise.then(
      () => {
        tracked.settled++;
        pending.delete(promise);
        count("success");
      },
      (e: unknown) => {
        tracked.settled++;
        pending.delete(promise);
        count(outcomeOf(e));
      },
    );
    if (controller && roll >= 0.05) {
      const abort = () => {
        if (tracked.settled === 0 && !controller.signal.aborted) figures.aborts[tracked.stage]++;
        controller.abort(new Error("aborted"));
      };
      // Half at a random moment, half soon after entering a chosen stage.
      if (roll < 0.2) clock.setTimeout(abort, Math.floor(r() * 3_000));
      else {
        tracked.abortIn = STAGES[Math.floor(r() * STAGES.length)];
        tracked.abort = abort;
      }
    }
  };

  for (let i = 0; i < CALLS_PER_ROUND; i++) clock.setTimeout(start, Math.floor(r() * 8_000));
  if (closeAt !== undefined) clock.setTimeout(() => void governor.close(), closeAt);
  for (let t = 0; t < 12_000; t += 20) {
    await clock.advance(20);
    const c = governor.stats().concurrency;
    figures.maxInFlight = Math.max(figures.maxInFlight, c?.inFlight ?? 0);
    if ((c?.inFlight ?? 0) < 0) figures.slotsLeft = -1;
  }
  await clock.runAll();
  // Every call has settled by now (total timeout 4 s); what is still registered leaked.
  const stats = governor.stats();
  figures.lost = pending.size;
  figures.slotsLeft = stats.concurrency?.inFlight ?? 0;
  figures.queuedLeft = stats.concurrency?.queued ?? 0;
  figures.permitsWaiting = Object.values(stats.quota).reduce((n, q) => n + q.waiting, 0);
  expect(stats.calls.inFlight).toBe(0);
  expect(stats.calls.started).toBe(stats.calls.settled);
  const credits = (await governor.snapshot()).credits;
  figures.negativeLedger = !!credits && (credits.spentUsd < 0 || credits.reservedUsd < 0);
  for (const t of calls.values()) {
    if (t.settled > 1) figures.settledTwice++;
    if (t.ends > 1) figures.endedTwice++;
    figures.lateStarts += t.lateStarts;
  }
  await governor.close();
  await clock.runAll();
  figures.timersLeft = clock.pendingTimers;
  // Calls after close are refused at once.
  await expect(governor.run(() => 1)).rejects.toMatchObject({ code: "closed" });
  return figures;
}

describe("chaos: every call settles exactly once", () => {
  it(`${ROUNDS * CALLS_PER_ROUND} calls with random aborts, odd functions and close() at random moments`, async () => {
    const resourcesBefore = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
    const master = prng(SEED);
    const all: RoundFigures[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const seed = Math.floor(master() * 2 ** 31);
      // The last round runs to the end; the others are closed mid-run.
      const closeAt = i === ROUNDS - 1 ? undefined : 1_000 + Math.floor(master() * 8_000);
      all.push(await round(seed, closeAt));
    }
    await new Promise((resolve) => setImmediate(resolve));
    const resourcesAfter = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
    // A handle the runs left behind: one more of a kind after than before.
    const tally = (list: string[]) =>
      list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const before = tally(resourcesBefore);
    const leftBehind = [...tally(resourcesAfter)]
      .filter(([k, n]) => n > (before.get(k) ?? 0))
      .map(([k]) => k);

    const sum = (f: (x: RoundFigures) => number) => all.reduce((n, x) => n + f(x), 0);
    const outcomes: Record<string, number> = {};
    for (const x of all)
      for (const [k, v] of Object.entries(x.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    const aborts: Record<string, number> = {};
    for (const x of all) for (const [k, v] of Object.entries(x.aborts)) aborts[k] = (aborts[k] ?? 0) + v;
    const report = {
      seed: SEED,
      calls: sum((x) => x.calls),
      registered: sum((x) => x.registered),
      refusedAtEntry: sum((x) => x.refusedAtEntry),
      closedAt: all.map((x) => x.closedAt ?? "end"),
      outcomes,
      abortsByStage: aborts,
      lost: sum((x) => x.lost),
      settledTwice: sum((x) => x.settledTwice),
      endedTwice: sum((x) => x.endedTwice),
      attemptsStartedAfterSettle: sum((x) => x.lateStarts),
      slotsLeft: sum((x) => x.slotsLeft),
      queuedLeft: sum((x) => x.queuedLeft),
      permitsWaiting: sum((x) => x.permitsWaiting),
      timersLeftAfterClose: sum((x) => x.timersLeft),
      maxInFlight: Math.max(...all.map((x) => x.maxInFlight)),
      negativeLedger: all.some((x) => x.negativeLedger),
      unhandledRejections: unhandled.length,
      liveHandlesBefore: resourcesBefore.length,
      liveHandlesAfter: resourcesAfter.length,
      handlesLeftBehind: leftBehind,
    };
    console.log(`chaos figures ${JSON.stringify(report, null, 2)}`);

    expect(report.lost).toBe(0);
    expect(report.settledTwice).toBe(0);
    expect(report.endedTwice).toBe(0);
    expect(report.attemptsStartedAfterSettle).toBe(0);
    expect(report.slotsLeft).toBe(0);
    expect(report.queuedLeft).toBe(0);
    expect(report.permitsWaiting).toBe(0);
    expect(report.timersLeftAfterClose).toBe(0);
    expect(report.maxInFlight).toBeLessThanOrEqual(6);
    expect(report.negativeLedger).toBe(false);
    expect(unhandled).toEqual([]);
    expect(leftBehind).toEqual([]);
    // Every outcome settled through the promise: the counts add up to the calls made.
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(report.calls);
    // The run reached every stage it claims to test.
    for (const stage of Object.keys(aborts)) expect(aborts[stage], stage).toBeGreaterThan(0);
    expect(report.refusedAtEntry).toBeGreaterThan(0);
    for (const code of ["closed", "timeout", "circuit_open", "budget_exceeded", "TypeError", "success"])
      expect(outcomes[code] ?? 0, code).toBeGreaterThan(0);
  });
});

describe("each odd function or rejection value settles its call once, as it said", () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const unreadable = throwing();
  const frozen = Object.freeze({ status: 400 });
  const badMessage = new Error("x");
  Object.defineProperty(badMessage, "message", {
    get() {
      throw new Error("message getter");
    },
  });
  const thrown = new Error("thrown");
  const symbol = Symbol("reason");
  const cases: [string, () => unknown, { value: unknown } | { reason: unknown } | { timeout: true }][] = [
    ["a plain value", () => 7, { value: 7 }],
    [
      "a synchronous throw",
      () => {
        throw thrown;
      },
      { reason: thrown },
    ],
    [
      "a thenable whose then throws",
      () =>
        thenable(() => {
          throw thrown;
        }),
      { reason: thrown },
    ],
    [
      "a thenable that resolves, then rejects",
      () =>
        thenable((ok, ko) => {
          ok("first");
          ko(thrown);
        }),
      { value: "first" },
    ],
    [
      "a thenable that resolves twice",
      () =>
        thenable((ok) => {
          ok("first");
          ok("second");
        }),
      { value: "first" },
    ],
    [
      "a thenable resolving with a thenable",
      () => thenable((ok) => ok(thenable((ok2) => ok2("inner")))),
      { value: "inner" },
    ],
    [
      "a then getter that throws",
      () =>
        Object.defineProperty({}, THEN, {
          get() {
            throw thrown;
          },
        }),
      { reason: thrown },
    ],
    ["a thenable that never settles", () => thenable(() => {}), { timeout: true }],
    ["a promise that never settles", () => new Promise(() => {}), { timeout: true }],
    ["a rejection with undefined", () => Promise.reject(undefined), { reason: undefined }],
    ["a rejection with null", () => Promise.reject(null), { reason: null }],
    ["a rejection with a string", () => Promise.reject("no"), { reason: "no" }],
    ["a rejection with a Symbol", () => Promise.reject(symbol), { reason: symbol }],
    ["a rejection with a frozen object", () => Promise.reject(frozen), { reason: frozen }],
    ["a rejection whose getters throw", () => Promise.reject(unreadable), { reason: unreadable }],
    ["a rejection with a revoked proxy", () => Promise.reject(revoked.proxy), { reason: revoked.proxy }],
    ["an error whose message getter throws", () => Promise.reject(badMessage), { reason: badMessage }],
  ];

  it.each(cases)("%s", async (_what, fn, expected) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 10));
    const governor = createGovernor({
      clock,
      quotas: { inference: [{ limit: 10, windowMs: 1_000 }] },
      concurrency: { initial: 2, max: 2, rampMs: 0 },
      retry: false,
      budget: { monthlyUsd: 1 },
      attemptTimeoutMs: 100,
      // Any custom classifier that throws must not matter either.
      classifyError: () => {
        throw new Error("classifier bug");
      },
    });
    let settled = 0;
    let outcome: { value: unknown } | { reason: unknown } | undefined;
    governor.run(fn as never).then(
      (value) => {
        settled++;
        outcome = { value };
      },
      (reason: unknown) => {
        settled++;
        outcome = { reason };
      },
    );
    await clock.advance(150);
    expect(settled).toBe(1);
    if ("timeout" in expected)
      expect(outcome).toMatchObject({ reason: { code: "timeout", scope: "attempt" } });
    else {
      // The very value (identity, not a deep look: a revoked proxy cannot be looked into).
      const [kind, value] = Object.entries(expected)[0]!;
      expect(outcome && Object.keys(outcome)).toEqual([kind]);
      expect(Object.is((outcome as Record<string, unknown>)[kind], value)).toBe(true);
    }
    const stats = governor.stats();
    expect(stats.calls.inFlight).toBe(0);
    expect(stats.concurrency?.inFlight).toBe(0);
    await governor.close();
    expect(clock.pendingTimers).toBe(0);
    expect(settled).toBe(1);
  });
});
