import type { Attributes } from "@opentelemetry/api";
import type { CallInfo } from "../call-info.js";
import { STEP } from "../compose.js";
import { isPromise } from "../is-promise.js";
import type { WindowOptions } from "../options.js";
import type {
  AttemptEndListener,
  Next,
  Policy,
  PolicyContext,
  PolicyKit,
  PolicySnapshot,
  PolicyState,
  UsageTotals,
} from "../policy.js";
import { optionsAt, QUOTA_POLICY_KEYS, resolveWindows } from "../policy-options.js";
import { type GateRequest, QuotaGate } from "../quota-gate.js";
import type { WindowGroup, WindowSnapshot, WindowSpec } from "../quota-store.js";
import { ATTR } from "../semconv.js";
import type { ServerFeedback } from "../server-feedback.js";
import { expectFunction, expectObject, expectString } from "../validate.js";
import { learnWindows, type QuotaClass } from "./quota-learning.js";

/** Options of {@link quotaPolicy}. */
export interface QuotaPolicyOptions {
  /** Names the policy. @default "quota" */
  readonly name?: string;
  /** Windows per request class, as in the governor's `quotas` option. */
  readonly quotas: Readonly<Record<string, readonly WindowOptions[]>>;
  /** Take every call's permits from this class (a tokens-per-minute window); @default the call's requestClass */
  readonly requestClass?: string;
  /** Permits one attempt takes (estimated tokens, say); at least 1. @default () => 1 */
  readonly permits?: (info: CallInfo) => number;
  /**
   * What the attempt really used, from its reported usage (tokens); the difference is given
   * back or taken after the response. Undefined (or no usage reported) keeps what was taken.
   */
  readonly reconcile?: (usage: UsageTotals, info: CallInfo) => number | undefined;
}

interface Taken {
  readonly gate: QuotaGate;
  readonly count: number;
  readonly takenAt: number;
  readonly usedBefore: UsageTotals | undefined;
  /** Set when this attempt is the gate's probe after a capped server wait. */
  readonly probe: number | undefined;
}

const minus = (now: UsageTotals, before: UsageTotals | undefined): UsageTotals =>
  before === undefined
    ? now
    : {
        inputTokens: now.inputTokens - before.inputTokens,
        outputTokens: now.outputTokens - before.outputTokens,
        costUsd: now.costUsd === undefined ? undefined : now.costUsd - (before.costUsd ?? 0),
        responseModel: now.responseModel,
      };

const same = (a: UsageTotals, b: UsageTotals) =>
  a.inputTokens === b.inputTokens && a.outputTokens === b.outputTokens && a.costUsd === b.costUsd;

class QuotaPolicy implements Policy, AttemptEndListener<Taken> {
  readonly name: string;
  readonly #kit: PolicyKit;
  readonly #groups: ReadonlyMap<string, WindowGroup>;
  readonly #gates: ReadonlyMap<string, QuotaGate>;
  readonly #classes: ReadonlyMap<string, QuotaClass>;
  readonly #class: string | undefined;
  readonly #permits: ((info: CallInfo) => number) | undefined;
  readonly #reconcile: QuotaPolicyOptions["reconcile"];

  constructor(
    kit: PolicyKit,
    name: string,
    groups: Map<string, WindowGroup>,
    specs: ReadonlyMap<string, readonly WindowSpec[]>,
    o: QuotaPolicyOptions,
  ) {
    this.#kit = kit;
    this.name = name;
    this.#groups = groups;
    this.#gates = new Map([...groups].map(([cls, g]) => [cls, new QuotaGate(cls, g, kit.clock, kit.queue)]));
    this.#classes = new Map(
      [...groups].map(([cls, group]) => [
        cls,
        { group, gate: this.#gates.get(cls)!, specs: specs.get(cls) ?? [] },
      ]),
    );
    this.#class = o.requestClass;
    this.#permits = o.permits;
    this.#reconcile = o.reconcile;
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    const cls = this.#class ?? ctx.requestClass;
    const gate = this.#gates.get(cls);
    if (!gate) return next(ctx);
    const info = ctx.info;
    const count = this.#permits ? this.#count(info) : 1;
    const request: GateRequest = {
      deadline: ctx.deadline,
      signal: ctx.signal,
      priority: info.priority,
      agent: info.agent,
      count,
    };
    const waited = gate.acquire(request, ctx.now());
    if (typeof waited === "number") return this.#admitted(ctx, next, gate, count, undefined);
    return waited.then((ms) => {
      ctx.reporter.throttled("local_window", ms, cls);
      return this.#admitted(ctx, next, gate, count, request.probe);
    });
  }

  // A permits function that throws or answers nonsense takes one permit: the call goes on.
  #count(info: CallInfo): number {
    let n: unknown;
    try {
      n = this.#permits!(info);
    } catch {
      return 1;
    }
    return typeof n === "number" && Number.isFinite(n) && n >= 1 ? Math.ceil(n) : 1;
  }

  #admitted<T>(
    ctx: PolicyContext,
    next: Next<T>,
    gate: QuotaGate,
    count: number,
    probe: number | undefined,
  ): Promise<T> {
    const usedBefore = this.#reconcile && ctx.usage && { ...ctx.usage };
    ctx.onAttemptEnd(this, { gate, count, takenAt: ctx.now(), usedBefore, probe });
    return next(ctx);
  }

  // After the response (a held stream: after it ended) the permits follow the real usage and
  // a probe tells its gate whether to re-open. A 429 stating nothing of the account's windows
  // gives its permits back, as does a 503 stating them (a server that counted it says so next).
  attemptEnded(taken: Taken, failed: boolean, error: unknown, ctx: PolicyContext): void {
    const reason = failed ? ctx.classify(error).reason : undefined;
    const rateLimited = reason === "rate_limited";
    const now = this.#kit.clock.now();
    if (!failed || rateLimited || reason === "overloaded")
      taken.gate.group.learnBurst?.(!failed, now, taken.takenAt);
    if (taken.probe !== undefined) taken.gate.probeEnded(taken.probe, failed, rateLimited, now);
    const stated = ctx.feedback !== undefined && ctx.feedback.limits.length > 0;
    if (rateLimited ? !stated : reason === "overloaded" && stated) this.#refund(taken, now);
    else if (this.#reconcile) this.#reconciled(taken, ctx);
  }

  #refund(taken: Taken, now: number): void {
    const done = taken.gate.group.adjust?.(-taken.count, now, taken.takenAt);
    if (isPromise(done))
      Promise.resolve(done).then(
        () => taken.gate.kick(),
        () => {},
      );
    else taken.gate.kick();
  }

  #reconciled(taken: Taken, ctx: PolicyContext): void {
    const usage = ctx.usage;
    const before = taken.usedBefore;
    // An attempt that reported nothing (it failed, say) keeps what it took: the cautious side.
    if (!usage || (before && same(usage, before))) return;
    const actual = this.#reconcile!(minus(usage, taken.usedBefore), ctx.info);
    if (typeof actual !== "number" || !Number.isFinite(actual) || actual < 0) return;
    const delta = Math.ceil(actual) - taken.count;
    if (delta === 0) return;
    const done = taken.gate.group.adjust?.(delta, this.#kit.clock.now(), taken.takenAt);
    if (isPromise(done))
      Promise.resolve(done).then(
        () => taken.gate.kick(),
        () => {},
      );
    else if (delta < 0) taken.gate.kick();
  }

  learn(feedback: ServerFeedback, requestClass: string): number | undefined {
    return learnWindows(feedback, requestClass, this.#classes, this.#kit);
  }

  describe(ctx: PolicyContext, attributes: Attributes): void {
    if (this.#class !== undefined && this.#class !== ctx.requestClass) return;
    attributes[ATTR.SWARMGATE_QUOTA_REMAINING] = this.#gates.get(ctx.requestClass)?.lastRemaining ?? -1;
  }

  state(): PolicyState {
    const quota: Record<string, { remaining: number; waiting: number }> = {};
    for (const [cls, gate] of this.#gates)
      quota[cls] = { remaining: gate.lastRemaining, waiting: gate.waiting };
    return { quota };
  }

  async snapshot(now: number): Promise<PolicySnapshot> {
    const windows: Record<string, readonly WindowSnapshot[]> = {};
    for (const [cls, group] of this.#groups) windows[cls] = await group.snapshot(now);
    return { windows };
  }

  close(error: unknown): void {
    for (const gate of this.#gates.values()) gate.drain(error);
  }
}

/**
 * Quota windows per request class (fixed or sliding, with token-bucket smoothing): an
 * attempt waits for its permits, in queue order (`kit.queue`), unless its wait would pass
 * the call's deadline. Server headers (`RateLimit`, `RateLimit-Policy`, a 429) correct the
 * windows on every response. With `permits`, an attempt takes several (weighted) permits and
 * `reconcile` settles them after the response.
 *
 * @example
 * // A tokens-per-minute window beside the default request quota.
 * createGovernor({
 *   policies: (defaults, kit) => [
 *     ...defaults,
 *     quotaPolicy(kit, {
 *       name: "tokens",
 *       requestClass: "tokens",
 *       quotas: { tokens: [{ limit: 200_000, windowMs: 60_000 }] },
 *       permits: (info) => 1_000,
 *       reconcile: (usage) => usage.inputTokens + usage.outputTokens,
 *     }),
 *   ],
 * });
 */
export function quotaPolicy(kit: PolicyKit, options: QuotaPolicyOptions): Policy {
  const o = optionsAt("quotaPolicy", options, QUOTA_POLICY_KEYS) as unknown as QuotaPolicyOptions;
  const name = o.name === undefined ? "quota" : expectString("name", o.name);
  if (o.requestClass !== undefined) expectString("requestClass", o.requestClass);
  if (o.permits !== undefined) expectFunction("permits", o.permits);
  if (o.reconcile !== undefined) expectFunction("reconcile", o.reconcile);
  const groups = new Map<string, WindowGroup>();
  const specsOf = new Map<string, readonly WindowSpec[]>();
  for (const [cls, list] of Object.entries(expectObject("quotas", o.quotas))) {
    const specs = resolveWindows(`quotas.${cls}`, list);
    if (specs.length === 0) continue;
    groups.set(cls, kit.store.windows(kit.scope, cls, specs));
    specsOf.set(cls, specs);
  }
  return new QuotaPolicy(kit, name, groups, specsOf, o);
}
