import type { Attributes } from "@opentelemetry/api";
import type { CallInfo } from "../call-info.js";
import { STEP } from "../compose.js";
import { DOWN_WHY, isDown, OutageWatch } from "../outage-watch.js";
import type {
  AttemptEndListener,
  Next,
  Policy,
  PolicyContext,
  PolicyKit,
  PolicySnapshot,
  UpstreamSnapshot,
  UsageTotals,
} from "../policy.js";
import { resolveUpstream, UPSTREAM_POLICY_KEYS } from "../policy-options.js";
import { type GateRequest, QuotaGate } from "../quota-gate.js";
import { ATTR } from "../semconv.js";
import type { ServerFeedback } from "../server-feedback.js";
import { MAX_SERVER_WAIT_MS } from "../server-wait.js";
import { UpstreamLimiter } from "../upstream-limiter.js";
import { estimatedTokens, type UpstreamOptions, upstreamKey } from "../upstream-options.js";

export type { UpstreamOptions } from "../upstream-options.js";

/** How many upstream keys a governor keeps; past it, the least recently used is forgotten. */
export const MAX_UPSTREAM_KEYS = 256;

interface Entry {
  readonly limiter: UpstreamLimiter;
  readonly gate: QuotaGate;
  readonly outage: OutageWatch;
  /** When it was last used (a counter): the least recent is forgotten first. */
  used: number;
}

/** An attempt admitted on the fast path (nothing learned, nothing taken), and when. */
interface Free {
  readonly entry: Entry;
  readonly at: number;
}

interface Taken {
  readonly entry: Entry;
  readonly tokens: number;
  readonly takenAt: number;
  readonly usedBefore: UsageTotals | undefined;
  /** Set when this attempt is the gate's probe after a capped wait. */
  readonly probe: number | undefined;
}

const tokensOf = (usage: UsageTotals | undefined, before: UsageTotals | undefined): number | undefined => {
  if (usage === undefined) return undefined;
  const used =
    usage.inputTokens + usage.outputTokens - (before ? before.inputTokens + before.outputTokens : 0);
  return used > 0 ? used : undefined;
};

class UpstreamPolicy implements Policy, AttemptEndListener<Taken | Free> {
  readonly name = "upstream";
  readonly #kit: PolicyKit;
  readonly #o: UpstreamOptions;
  readonly #entries = new Map<string, Entry>();
  #uses = 0;
  readonly #defaultWindowMs: number;

  constructor(kit: PolicyKit, o: UpstreamOptions) {
    this.#kit = kit;
    this.#o = o;
    this.#defaultWindowMs = Math.max(1, 60_000 / kit.headerTimeScale);
  }

  [STEP]<T>(next: Next<T>): Next<T> {
    return (ctx) => this.execute(ctx, next);
  }

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry) {
      entry.used = ++this.#uses;
      return entry;
    }
    if (this.#entries.size >= MAX_UPSTREAM_KEYS) this.#forgetOne();
    const o = this.#o;
    const learning = o.learnRate
      ? { decrease: o.decrease, minPerSecond: o.minRatePerSecond, burstMs: o.burstMs }
      : undefined;
    const limiter = new UpstreamLimiter(key, learning, this.#defaultWindowMs);
    const gate = new QuotaGate(`upstream ${key}`, limiter, this.#kit.clock, this.#kit.queue);
    entry = { limiter, gate, outage: new OutageWatch(o.outagePauseMs), used: ++this.#uses };
    this.#entries.set(key, entry);
    return entry;
  }

  // The least recently used with nobody waiting on it: forgetting it costs only what it learned.
  #forgetOne(): void {
    let oldest: string | undefined;
    let at = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#entries)
      if (entry.gate.waiting === 0 && entry.used < at) [oldest, at] = [key, entry.used];
    if (oldest !== undefined) this.#entries.delete(oldest);
  }

  execute<T>(ctx: PolicyContext, next: Next<T>): Promise<T> {
    const info = ctx.info;
    const entry = this.#entry(upstreamKey(this.#o, info, ctx.requestClass));
    // Nothing learned, nothing waiting: the attempt goes; its token is its entry and when it went.
    if (entry.limiter.free && entry.gate.waiting === 0 && entry.gate.heldUntil === undefined) {
      const at = ctx.now();
      entry.limiter.admitted(at);
      ctx.onAttemptEnd(this, { entry, at });
      return next(ctx);
    }
    const tokens = estimatedTokens(this.#o, info);
    const request: GateRequest = {
      deadline: ctx.deadline,
      signal: ctx.signal,
      priority: info.priority,
      agent: info.agent,
      count: tokens,
    };
    const waited = entry.gate.acquire(request, ctx.now());
    if (typeof waited === "number") return this.#admitted(ctx, next, entry, tokens, undefined);
    return waited.then((ms) => {
      ctx.reporter.throttled("local_window", ms, ctx.requestClass);
      return this.#admitted(ctx, next, entry, tokens, request.probe);
    });
  }

  #admitted<T>(
    ctx: PolicyContext,
    next: Next<T>,
    entry: Entry,
    tokens: number,
    probe: number | undefined,
  ): Promise<T> {
    const usedBefore = ctx.usage && { ...ctx.usage };
    ctx.onAttemptEnd(this, { entry, tokens, takenAt: ctx.now(), usedBefore, probe });
    return next(ctx);
  }

  attemptEnded(token: Taken | Free, failed: boolean, error: unknown, ctx: PolicyContext): void {
    const now = this.#kit.clock.now();
    // Admitted with nothing to take (see `execute`): before any cut, holding no tokens.
    const taken: Taken =
      "at" in token
        ? { entry: token.entry, tokens: 0, takenAt: -Infinity, usedBefore: undefined, probe: undefined }
        : token;
    const admittedAt = "at" in token ? token.at : token.takenAt;
    const { limiter, gate, outage } = taken.entry;
    const verdict = failed ? ctx.classify(error) : undefined;
    // An upstream still down holds again before its probe's end could let the next one go.
    const down = verdict !== undefined && isDown(verdict) ? outage.failed(now, admittedAt) : undefined;
    if (down !== undefined) gate.holdForProbe(now, Math.min(down, this.#o.maxPauseMs), DOWN_WHY);
    if (taken.probe !== undefined)
      gate.probeEnded(taken.probe, failed, verdict?.reason === "rate_limited", now);
    if (verdict === undefined) {
      limiter.served(now);
      outage.served(admittedAt, now);
      const used = tokensOf(ctx.usage, taken.usedBefore);
      if (used !== undefined && taken.tokens > 0) limiter.adjust(used - taken.tokens, now, taken.takenAt);
      gate.kick();
      return;
    }
    if (verdict.reason !== "rate_limited" && verdict.reason !== "loading") {
      gate.kick();
      return;
    }
    // The upstream served nothing: what the attempt took goes back.
    limiter.refund(taken.tokens, now, taken.takenAt);
    // Header waits (`Retry-After`, `RateLimit`) are the windows' and the retry's to bound and
    // honour; what only a body says ("try again in 11.4s", `estimated_time`) is this policy's.
    const bodyHint = verdict.hintFrom === "body" ? verdict.retryAfterMs : undefined;
    // A pause holds the upstream's gate: nobody goes before its end, then one probe, and the
    // others after its answer (a model still loading, a limit still reached, holds again).
    if (verdict.reason === "loading") {
      const wait = bodyHint ?? verdict.retryAfterMs ?? this.#o.loadingPauseMs;
      gate.holdForProbe(now, Math.min(wait, this.#o.maxPauseMs), "the model is loading");
    } else {
      // A 429 whose body says when to come back pauses the upstream; one that states no limit
      // (no `RateLimit`, no provider header: a hint says when, not how fast) cuts its rate.
      if (bodyHint !== undefined)
        gate.holdForProbe(now, Math.min(bodyHint, this.#o.maxPauseMs), "the upstream asked for a pause");
      const learned = states(ctx.feedback) ? undefined : limiter.refused(now, taken.takenAt);
      if (learned === "cut")
        this.#kit.events.emit("upstreamRate", {
          key: limiter.key,
          ratePerSecond: limiter.ratePerSecond ?? 0,
        });
      else if (learned !== undefined)
        gate.holdForProbe(now, Math.min(learned, this.#o.maxPauseMs), "the upstream refuses everything");
    }
    gate.kick();
  }

  learn(feedback: ServerFeedback, requestClass: string, info: CallInfo): number | undefined {
    if (feedback.upstream.length === 0) return undefined;
    const entry = this.#entry(upstreamKey(this.#o, info, requestClass));
    const now = this.#kit.clock.now();
    const { hint, holdMs } = entry.limiter.learn(feedback.upstream, feedback.status === 429, now);
    // A wait cut to its ceiling: one probe then, the others after its answer (as the quota's windows).
    if (holdMs > 0) entry.gate.holdForProbe(now, holdMs);
    else entry.gate.serverAnswered();
    entry.gate.kick();
    return hint === undefined ? undefined : Math.min(hint, MAX_SERVER_WAIT_MS);
  }

  describe(ctx: PolicyContext, attributes: Attributes): void {
    const entry = this.#entries.get(upstreamKey(this.#o, ctx.info, ctx.requestClass));
    const rate = entry?.limiter.ratePerSecond;
    if (rate !== undefined) attributes[ATTR.SWARMGATE_UPSTREAM_RATE] = rate;
  }

  async snapshot(now: number): Promise<PolicySnapshot> {
    const upstreams: Record<string, UpstreamSnapshot> = {};
    for (const [key, { limiter, gate }] of this.#entries) {
      const held = gate.heldUntil;
      upstreams[key] = {
        ratePerSecond: limiter.ratePerSecond,
        pausedUntil: held !== undefined && held > now ? held : undefined,
        windows: limiter.snapshot(now),
      };
    }
    return { upstreams };
  }

  close(error: unknown): void {
    for (const { gate } of this.#entries.values()) gate.drain(error);
  }
}

// Whether an answer stated a limit: the account's `RateLimit` or the provider's own.
const states = (feedback: ServerFeedback | undefined): boolean =>
  feedback !== undefined && (feedback.limits.length > 0 || feedback.upstream.length > 0);

/**
 * Limits per upstream: the provider behind the router (or any other upstream key) gets its
 * own, apart from the account's quota windows. It learns them from what the upstream does:
 * its `x-ratelimit-*-{requests,tokens}` headers become request and token windows; a 429
 * that states nothing cuts an admission rate that climbs back while answers succeed (AIMD);
 * "try again in 11.4s" or a cold start's `estimated_time` pause that upstream (bounded by
 * `maxPauseMs`); a refused attempt gives back what it took. Callers wait in `kit.queue`
 * order, within their deadline.
 *
 * @example
 * createGovernor({ upstream: false, policies: (d, kit) => [...d, upstreamPolicy(kit, { decrease: 0.5 })] });
 */
export function upstreamPolicy(kit: PolicyKit, options: Partial<UpstreamOptions> = {}): Policy {
  return new UpstreamPolicy(kit, resolveUpstream(options, UPSTREAM_POLICY_KEYS));
}
