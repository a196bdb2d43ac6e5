import { PolicyError } from "./errors.js";
import type { Next, Policy, PolicyContext } from "./policy.js";

/** @internal A context that can start an attempt: what the composed pipeline needs of a call. */
export interface PipelineContext extends PolicyContext {
  /** Runs `inner` as a new attempt of the call (with `ctx`, the call or a view of it). */
  runAttempt<T>(inner: Next<T>, ctx: PolicyContext): Promise<T>;
  /** Calls the call's function for the current attempt: the end of the pipeline. */
  invoke<T>(ctx: PolicyContext): Promise<T>;
  /** Lets the call hand a failure of `next` to `policy.recover` (see {@link Recovering}). */
  recoverWith(policy: Recovering, next: Next<unknown>): void;
}

/** @internal See {@link Recovering}. */
export const FUSED = Symbol("swarmgate.fused");

/**
 * @internal A retrying policy whose catch the call itself can hold, when every policy outside
 * it only acts before `next` and hands its promise on unchanged ({@link TRANSPARENT}): the
 * call then catches a failed attempt in the one subscription it makes anyway, instead of the
 * retry subscribing too (one promise and one microtask less per call).
 */
export interface Recovering {
  /** The step that registers the catch with the call instead of subscribing. */
  [FUSED]<T>(next: Next<T>): Next<T>;
  /** What the retry does with a failed attempt: another attempt (its answer), or the error. */
  recover<T>(ctx: PolicyContext, next: Next<T>, error: unknown): Promise<T>;
}

/** @internal Marks a shipped policy that returns `next`'s promise unchanged (the budget). */
export const TRANSPARENT = Symbol("swarmgate.transparent");

/** The end of every pipeline: the call's own function. */
export const invokeCall: Next<unknown> = (ctx) => (ctx as PipelineContext).invoke(ctx);

/**
 * @internal The step of a shipped policy: `(ctx) => this.execute(ctx, next)`, written in the
 * policy's own class so that each step's call site sees one class (a step shared by every
 * policy would make `execute` a megamorphic call on the hot path).
 */
export const STEP = Symbol("swarmgate.step");

/** @internal A policy made by swarmgate itself: it keeps the contract by construction, unguarded. */
export interface ShippedPolicy extends Policy {
  [STEP]<T>(next: Next<T>): Next<T>;
}

const isShipped = (policy: Policy): policy is ShippedPolicy =>
  typeof (policy as Partial<ShippedPolicy>)[STEP] === "function";

// Only when nothing outside the retry could see (or change) its attempts' answers.
const fusable = (policy: Policy, outer: readonly Policy[]): policy is Policy & Recovering =>
  typeof (policy as Partial<Recovering>)[FUSED] === "function" &&
  outer.every((p) => isShipped(p) && (p as { [TRANSPARENT]?: boolean })[TRANSPARENT] === true);

// A user's policy may throw, return a plain value or a foreign thenable, or call `next`
// twice: whatever it does, the pipeline sees one promise and at most one inner run.
function guarded<T>(policy: Policy, next: Next<T>): Next<T> {
  return (ctx) => {
    let once = next;
    if (!policy.retries) {
      let called = false;
      once = (c) => {
        if (called) return Promise.reject(new PolicyError(policy.name, "called `next` twice"));
        called = true;
        return next(c);
      };
    }
    try {
      const result = policy.execute(ctx, once);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Composes policies outer to inner around `terminal` (the call's own function): the first
 * policy runs first and calls `next` to reach the second, and so on. Each call of `next` by
 * the innermost policy that `retries` is one attempt; without such a policy the whole
 * pipeline is one attempt. `createGovernor` composes its pipeline with it (after the
 * `policies` option); the context it runs on is the governor's call.
 *
 * @example
 * // Inside createGovernor: the default pipeline around the call's own function.
 * const pipeline = compose([budget, retry, breaker, quota, concurrency, attemptTimeout], invokeCall);
 */
export function compose<T>(policies: readonly Policy[], terminal: Next<T>): Next<T> {
  let next = terminal;
  let attempts = false;
  for (let i = policies.length - 1; i >= 0; i--) {
    const policy = policies[i]!;
    const inner = next;
    const startsAttempts = policy.retries === true && !attempts;
    if (startsAttempts) attempts = true;
    const passed: Next<T> = startsAttempts ? (ctx) => (ctx as PipelineContext).runAttempt(inner, ctx) : inner;
    if (startsAttempts && fusable(policy, policies.slice(0, i))) next = policy[FUSED](passed);
    else next = isShipped(policy) ? policy[STEP](passed) : guarded(policy, passed);
  }
  if (attempts) return next;
  const whole = next;
  return (ctx) => (ctx as PipelineContext).runAttempt(whole, ctx);
}
