import { createGovernor, presets } from "@swarmgate/core";
import {
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  wrap,
} from "cockatiel";
import CircuitBreaker from "opossum";
import PQueue from "p-queue";
import pRetry from "p-retry";

/**
 * @typedef {object} Instance
 * @property {() => Promise<unknown>} call One call of the no-op through the contender.
 * @property {(calls: number) => string | undefined} [check] Says what went wrong, if anything.
 * @property {() => Promise<void> | void} [close]
 */

/**
 * @typedef {object} Contender
 * @property {string} id Stable name for `--contender`.
 * @property {string} label What the table shows.
 * @property {(noop: () => Promise<void>) => Instance} create
 */

// Limits high enough never to throttle, every other setting from the enterprise preset:
// the benchmark measures what the policies cost when they all say yes.
function fullGovernor(extra = {}) {
  const preset = presets.huggingface({ tier: "enterprise" });
  return createGovernor({
    ...preset,
    name: "bench",
    concurrency: { ...preset.concurrency, initial: 64, max: 64, rampMs: 0 },
    quotas: { inference: [{ limit: 1e12, windowMs: 300_000, smoothing: undefined }] },
    budget: { monthlyUsd: 1e12 },
    ...extra,
  });
}

// A user's policy that does nothing, between retry and breaker (docs/governor.md's example place).
const noopPolicy = { name: "noop", execute: (ctx, next) => next(ctx) };
const withNoop = (defaults) => {
  const i = defaults.findIndex((p) => p.name === "retry");
  return [...defaults.slice(0, i + 1), noopPolicy, ...defaults.slice(i + 1)];
};

/** @param {import("@swarmgate/core").Governor} governor */
function governorInstance(governor, noop) {
  return {
    call: () => governor.run(noop),
    check(calls) {
      const s = governor.stats();
      if (s.outcomes.success !== calls) return `${s.outcomes.success} successes for ${calls} calls`;
      if (s.attempts !== calls) return `${s.attempts} attempts for ${calls} calls`;
      const throttled = Object.entries(s.throttles).filter(([, n]) => n > 0);
      if (throttled.length > 0) return `throttled: ${JSON.stringify(Object.fromEntries(throttled))}`;
      return undefined;
    },
    close: () => governor.close(),
  };
}

/** @type {readonly Contender[]} */
export const contenders = [
  {
    id: "bare",
    label: "bare `await noop()`",
    create: (noop) => ({ call: noop }),
  },
  {
    id: "opossum",
    label: "opossum 9, `timeout: false`",
    create(noop) {
      const breaker = new CircuitBreaker(noop, { timeout: false });
      return { call: () => breaker.fire(), close: () => breaker.shutdown() };
    },
  },
  {
    id: "opossum-timer",
    label: "opossum 9, default 10 s timeout",
    create(noop) {
      const breaker = new CircuitBreaker(noop);
      return { call: () => breaker.fire(), close: () => breaker.shutdown() };
    },
  },
  {
    id: "cockatiel",
    label: "cockatiel 3: retry + breaker + bulkhead(64)",
    create(noop) {
      const policy = wrap(
        retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff() }),
        circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
        bulkhead(64, Number.POSITIVE_INFINITY),
      );
      return { call: () => policy.execute(noop) };
    },
  },
  {
    id: "p-queue",
    label: "p-queue 8 (concurrency 64) + p-retry 6",
    create(noop) {
      const queue = new PQueue({ concurrency: 64 });
      return { call: () => queue.add(() => pRetry(noop, { retries: 4 })) };
    },
  },
  {
    id: "governor",
    label: "**swarmgate governor, every policy on**",
    create: (noop) => governorInstance(fullGovernor(), noop),
  },
  {
    // What the upstream policy (limits per provider) costs when nothing throttles.
    id: "governor-no-upstream",
    label: "swarmgate governor, every policy on but `upstream: false`",
    create: (noop) => governorInstance(fullGovernor({ upstream: false }), noop),
  },
  {
    id: "governor-noop-policy",
    label: "swarmgate governor, every policy on + a user's no-op policy",
    create: (noop) => governorInstance(fullGovernor({ policies: withNoop }), noop),
  },
  {
    // The fixed cost of `run()` itself (call object, span, stats, events), for reading the row above.
    id: "governor-bare",
    label: "swarmgate governor, every policy off",
    create: (noop) =>
      governorInstance(
        createGovernor({
          name: "bench-bare",
          concurrency: false,
          retry: false,
          breaker: false,
          upstream: false,
          attemptTimeoutMs: Number.POSITIVE_INFINITY,
          totalTimeoutMs: Number.POSITIVE_INFINITY,
        }),
        noop,
      ),
  },
];
