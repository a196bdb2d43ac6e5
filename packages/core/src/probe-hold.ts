import type { Clock } from "./clock.js";
import { isPromise } from "./is-promise.js";
import type { WaitEntry, WaitQueue } from "./queues/wait-queue.js";
import type { AcquireResult, WindowGroup } from "./quota-store.js";

/** What a waiter of a quota gate carries; `probe` marks the one probe. */
export interface ProbeWaiting {
  readonly enqueuedAt: number;
  readonly count: number;
  readonly request: { probe?: number | undefined };
}

const CAPPED = "the server's wait was cut to its ceiling";

/** The `blockedBy` of a refusal while a gate is held for a probe. */
export const HELD_BY = "server";

/**
 * The hold of one quota gate after a server asked for a wait longer than its ceiling:
 * nobody is admitted before {@link at}, then exactly one caller goes as a probe, so that the
 * server can correct a wrong or hostile header; the others wait for its answer. A normal
 * answer releases the hold; a confirming 429 holds for another ceiling.
 */
export class ProbeHold {
  /** When the probe may go; `Infinity` when the gate is not held. */
  at = Number.POSITIVE_INFINITY;
  /** A probe is in flight. */
  probing = false;
  // Tells a probe's end from one a later hold has forgotten.
  #generation = 0;
  #ceilingMs = 0;
  /** Why the gate is held, for a refusal's message. */
  why = CAPPED;

  get active(): boolean {
    return this.at !== Number.POSITIVE_INFINITY;
  }

  /** Holds every caller for `ceilingMs`; a probe in flight is forgotten. */
  hold(now: number, ceilingMs: number, why = CAPPED): void {
    this.why = why;
    this.#generation++;
    this.probing = false;
    this.at = now + ceilingMs;
    this.#ceilingMs = ceilingMs;
  }

  /** Releases the hold; false when there was none. */
  release(): boolean {
    if (!this.active) return false;
    this.#generation++;
    this.probing = false;
    this.at = Number.POSITIVE_INFINITY;
    return true;
  }

  /**
   * The probe's attempt ended, its headers (if any) already learned. A success releases the
   * hold; a 429 the headers did not explain holds for another ceiling; any other failure
   * (network, timeout, abort) lets the next waiter probe. False when nothing changed.
   */
  ended(probe: number, failed: boolean, rateLimited: boolean, now: number): boolean {
    if (probe !== this.#generation || !this.probing) return false;
    this.probing = false;
    if (!failed) this.release();
    else if (rateLimited) this.hold(now, this.#ceilingMs, this.why);
    else this.at = now;
    return true;
  }

  /**
   * One step of a held gate's queue: the wait until the probe may go, the store's refusal
   * when it still refuses, or `undefined` once the head went as the probe (or while one is in
   * flight): the probe's answer re-examines the queue. `giveBack` returns an unused grant.
   */
  async step<D extends ProbeWaiting>(
    queue: WaitQueue<number, D>,
    group: WindowGroup,
    clock: Clock,
    giveBack: (entry: WaitEntry<number, D>, now: number) => void,
  ): Promise<AcquireResult | undefined> {
    if (this.probing) return undefined;
    const now = clock.now();
    if (now < this.at) return { ok: false, waitMs: this.at - now, remaining: 0, blockedBy: HELD_BY };
    const generation = this.#generation;
    const [entry] = queue.take(1);
    if (!entry) return undefined;
    const answer = group.tryAcquire(entry.data.count, now);
    let result: AcquireResult;
    try {
      result = isPromise(answer) ? await answer : answer;
    } catch (error) {
      entry.reject(error);
      throw error;
    }
    const at = clock.now();
    if (!result.ok) {
      queue.restore([entry]);
      return result;
    }
    if (!this.active) {
      // Released while a remote store answered: an ordinary grant.
      if (!entry.resolve(at - entry.data.enqueuedAt)) giveBack(entry, at);
      return result;
    }
    if (generation !== this.#generation || at < this.at) {
      giveBack(entry, at);
      queue.restore([entry]);
      return { ok: false, waitMs: Math.max(1, this.at - at), remaining: 0, blockedBy: HELD_BY };
    }
    entry.data.request.probe = generation;
    if (!entry.resolve(at - entry.data.enqueuedAt)) {
      giveBack(entry, at); // it left meanwhile: the next one probes
      return result;
    }
    this.probing = true;
    return undefined;
  }
}
