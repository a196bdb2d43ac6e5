import type { Clock, TimerHandle } from "./clock.js";
import { ThrottledError } from "./errors.js";
import { isPromise } from "./is-promise.js";
import { HELD_BY, ProbeHold, type ProbeWaiting } from "./probe-hold.js";
import { createWaitQueue } from "./queues/create-wait-queue.js";
import type { QueueKind, WaitEntry, WaitQueue, WaitRequest } from "./queues/wait-queue.js";
import type { AcquireResult, WindowGroup } from "./quota-store.js";

interface Waiting extends ProbeWaiting {
  readonly request: GateRequest;
}

// How many waiters' permits one pump asks a remote store for at once.
const REMOTE_BATCH = 32;

/** What {@link QuotaGate.acquire} needs to know about the caller. */
export interface GateRequest extends WaitRequest {
  /** Permits to take (a weighted call: estimated tokens, say). @default 1 */
  readonly count?: number | undefined;
  /**
   * Set by the gate when this caller is the one probe after a capped server wait: pass it
   * to {@link QuotaGate.probeEnded} when the attempt ends.
   */
  probe?: number | undefined;
}

/**
 * Hands out the quota permits of one request class in queue order (FIFO, priority or fair
 * share). Waiting is the normal case: a caller waits for its permits unless the wait would
 * pass its deadline, and new callers never overtake waiting ones.
 */
export class QuotaGate {
  readonly requestClass: string;
  readonly #group: WindowGroup;
  readonly #clock: Clock;
  // An aborted head makes way: the next one is examined at once.
  readonly #queue: WaitQueue<number, Waiting>;
  #timer: TimerHandle | undefined;
  #pumping = false;
  #again = false;
  #lastRemaining = Number.POSITIVE_INFINITY;
  // After a server wait that had to be capped: one probe, then the others.
  readonly #hold = new ProbeHold();

  constructor(requestClass: string, group: WindowGroup, clock: Clock, queue: QueueKind = "fifo") {
    this.requestClass = requestClass;
    this.#group = group;
    this.#clock = clock;
    this.#queue = createWaitQueue<number, Waiting>(queue, () => this.kick());
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Permits left in the tightest window at the last decision (callers waiting: `waiting`). */
  get lastRemaining(): number {
    return this.#lastRemaining;
  }

  /** Epoch ms until which the gate is held for a probe (see {@link holdForProbe}), if it is. */
  get heldUntil(): number | undefined {
    return this.#hold.active ? this.#hold.at : undefined;
  }

  /** The windows this gate hands out permits of. */
  get group(): WindowGroup {
    return this.#group;
  }

  /**
   * Takes `request.count` permits (one by default). Returns `0` synchronously when they are
   * free and nobody waits; otherwise a promise of the milliseconds waited.
   */
  acquire(request: GateRequest, now = this.#clock.now()): number | Promise<number> {
    const count = request.count ?? 1;
    if (this.#hold.active) return this.#held(request, count, now);
    if (this.#queue.length > 0) return this.#enqueue(request, count);
    const result = this.#group.tryAcquire(count, now);
    if (isPromise(result)) return Promise.resolve(result).then((r) => this.#decide(r, request, count));
    return this.#decide(result, request, count, now);
  }

  #decide(
    result: AcquireResult,
    request: GateRequest,
    count: number,
    now?: number,
  ): number | Promise<number> {
    this.#lastRemaining = result.remaining;
    if (result.ok) return 0;
    const waitMs = result.waitMs;
    if (!Number.isFinite(waitMs) || (now ?? this.#clock.now()) + waitMs > request.deadline)
      return Promise.reject(this.#refusal(result));
    return this.#enqueue(request, count);
  }

  /**
   * The server asked for a wait longer than its ceiling: nobody is admitted for `ceilingMs`,
   * then exactly one caller goes as a probe and the others wait for its answer.
   */
  holdForProbe(now: number, ceilingMs: number, why?: string): void {
    this.#hold.hold(now, ceilingMs, why);
  }

  /** The server spoke without a capped wait (a normal answer): the flow re-opens. */
  serverAnswered(): void {
    this.#hold.release();
  }

  /** The probe's attempt ended (see {@link ProbeHold.ended}); `probe` is its request's mark. */
  probeEnded(probe: number, failed: boolean, rateLimited: boolean, now: number): void {
    if (this.#hold.ended(probe, failed, rateLimited, now)) this.kick();
  }

  // Held for a probe: a caller whose deadline comes before the probe may go fails fast, the
  // others queue (behind a probe in flight, however long its answer takes).
  #held(request: GateRequest, count: number, now: number): Promise<number> {
    const waitMs = this.#hold.at - now;
    if (!this.#hold.probing && waitMs > 0 && now + waitMs > request.deadline)
      return Promise.reject(this.#refusal({ ok: false, waitMs, remaining: 0, blockedBy: HELD_BY }));
    return this.#enqueue(request, count);
  }

  /** Re-examines the queue now, e.g. after the server said more permits are left. */
  kick(): void {
    if (this.#queue.length > 0) void this.#pump();
  }

  /** Rejects every waiter with `error` (on close). */
  drain(error: unknown): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.drain(error);
  }

  #enqueue(request: GateRequest, count: number): Promise<number> {
    const waiting = this.#queue.push({ enqueuedAt: this.#clock.now(), count, request }, request);
    if (this.#queue.length === 1) void this.#pump();
    return waiting;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      for (;;) {
        const head = this.#queue.peek();
        if (!head) return;
        this.#again = false;
        let result: AcquireResult;
        if (!this.#hold.active) {
          const answer = this.#group.tryAcquire(head.data.count, this.#clock.now());
          result = isPromise(answer) ? await this.#askRemote(answer) : answer;
          if (result.ok && !isPromise(answer))
            this.#queue.resolveHead(this.#clock.now() - head.data.enqueuedAt);
        } else {
          const step = await this.#hold.step(this.#queue, this.#group, this.#clock, (e, at) =>
            this.#giveBack(e, at),
          );
          // The probe's answer re-examines the queue (unless it came while this step awaited).
          if (step === undefined) {
            if (this.#again) continue;
            return;
          }
          result = step;
        }
        this.#lastRemaining = result.remaining;
        const now = this.#clock.now();
        if (result.ok) continue;
        if (!Number.isFinite(result.waitMs)) {
          this.#queue.rejectHead(this.#refusal(result)); // more permits than any window holds: never
          continue;
        }
        // Waiters behind the head wait at least as long: refuse every one whose deadline falls first.
        this.#queue.rejectExpired(now + result.waitMs, () => this.#refusal(result));
        if (this.#again) continue;
        if (this.#queue.length > 0) {
          this.#timer = this.#clock.setTimeout(
            () => {
              this.#timer = undefined;
              void this.#pump();
            },
            Math.max(1, result.waitMs),
          );
        }
        return;
      }
    } catch (error) {
      // The store failed: nobody can be admitted on its word, so the waiters learn why.
      this.drain(error);
    } finally {
      this.#pumping = false;
    }
  }

  // A remote store costs a round trip per answer: ask for the permits of the next waiters
  // at once (the store may merge the requests into one), serve, in order, every waiter up to
  // the first refusal, give the others back their place, and return the first refusal (or
  // the last grant). `first` is the head's answer, already asked for.
  async #askRemote(first: PromiseLike<AcquireResult>): Promise<AcquireResult> {
    const batch = this.#queue.take(REMOTE_BATCH);
    const now = this.#clock.now();
    const answers: PromiseLike<AcquireResult>[] = [first];
    for (let i = 1; i < batch.length; i++)
      answers.push(Promise.resolve(this.#group.tryAcquire(batch[i]!.data.count, now)));
    let results: AcquireResult[];
    try {
      results = await Promise.all(answers);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      throw error;
    }
    const at = this.#clock.now();
    let refused = -1;
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i]!;
      const r = results[i]!;
      if (refused < 0 && !r.ok) refused = i;
      if (!r.ok) continue;
      // A grant behind a refusal would overtake; a waiter that left has no use for its grant.
      if (refused >= 0 || !entry.resolve(at - entry.data.enqueuedAt)) this.#giveBack(entry, at);
    }
    if (refused >= 0) this.#queue.restore(batch.slice(refused));
    return refused >= 0 ? results[refused]! : results[results.length - 1]!;
  }

  #giveBack(entry: WaitEntry<number, Waiting>, now: number): void {
    const done = this.#group.adjust?.(-entry.data.count, now, now);
    if (isPromise(done)) Promise.resolve(done).catch(() => {});
  }

  #refusal(result: AcquireResult): ThrottledError {
    const ms = Math.ceil(result.waitMs);
    const why =
      result.blockedBy === HELD_BY
        ? `${this.#hold.why}: one probe goes in ${ms} ms`
        : `window "${result.blockedBy ?? "?"}" frees one in ${ms} ms`;
    return new ThrottledError(
      `No "${this.requestClass}" quota permit before the call's deadline (${why})`,
      this.requestClass,
      { retryAfterMs: Number.isFinite(result.waitMs) ? result.waitMs : undefined },
    );
  }
}
