import { statusOf } from "./classify.js";
import type { Clock } from "./clock.js";
import type { Emitter } from "./emitter.js";
import { BudgetExceededError, isBudgetExceededError } from "./errors.js";
import type { GovernorEvents } from "./events.js";

// An attempt-end listener (policy.ts), spelled here: policy.ts's kit names this class.
interface ProbeListener {
  attemptEnded(requestClass: string, failed: boolean, error: unknown): void;
}

/** The calendar month (UTC) of `epochMs`, e.g. `"2026-11"`: the period credits reset in. */
export function monthOf(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** How long after a 402 one attempt is let through to see whether credits were bought. @default 5 minutes */
export const DEFAULT_CREDITS_REPROBE_MS = 300_000;

interface Mark {
  readonly month: string;
  readonly probeAt: number;
  probing: boolean;
}

/**
 * Remembers a 402 ("credits exhausted") per request class, so that no attempt of that
 * class is sent meanwhile (Hub API calls are not billed and go on) — but not for the rest
 * of the month: `reprobeMs` after the 402, one attempt is let through as a probe (the others
 * are still refused), and an answer other than 402 clears the mark, so that a pay-as-you-go
 * user who bought credits goes on. A probe that gets no answer (aborted, timed out, network
 * error) leaves the probe to the next attempt; a 402 starts the interval again. Every
 * governor has one, with or without a local budget: the upstream's word on credits stands
 * either way.
 */
export class CreditsExhausted implements ProbeListener {
  readonly #clock: Clock;
  readonly #reprobeMs: number;
  readonly #events: Emitter<GovernorEvents> | undefined;
  readonly #marks = new Map<string, Mark>();

  constructor(clock: Clock, reprobeMs = DEFAULT_CREDITS_REPROBE_MS, events?: Emitter<GovernorEvents>) {
    this.#clock = clock;
    this.#reprobeMs = reprobeMs;
    this.#events = events;
  }

  /** The upstream answered 402 to a call of `requestClass`. */
  mark(requestClass: string, now = this.#clock.now()): void {
    this.#marks.set(requestClass, { month: monthOf(now), probeAt: now + this.#reprobeMs, probing: false });
    this.#tell("exhausted", requestClass, this.#reprobeMs);
  }

  /** Forgets every 402: the next attempts are sent (`governor.resetCredits()`). */
  clear(): void {
    const classes = [...this.#marks.keys()];
    this.#marks.clear();
    for (const requestClass of classes) this.#tell("resumed", requestClass, undefined);
  }

  /** Whether a 402 was seen this month and not cleared, for `requestClass` or (without one) for any class. */
  isExhausted(requestClass?: string, now = this.#clock.now()): boolean {
    if (this.#marks.size === 0) return false;
    if (requestClass !== undefined) return this.#current(requestClass, now) !== undefined;
    for (const key of [...this.#marks.keys()]) if (this.#current(key, now)) return true;
    return false;
  }

  /** Whether a call of `requestClass` is refused before it waits: marked, and not due to probe. */
  refuses(requestClass: string, now = this.#clock.now()): boolean {
    const mark = this.#current(requestClass, now);
    return mark !== undefined && (mark.probing || now < mark.probeAt);
  }

  /**
   * Asked as an attempt of `requestClass` is about to be sent: undefined lets it go (no 402
   * seen, or it is the probe, whose end `attempt` reports); otherwise the error to refuse it with.
   */
  admit(
    requestClass: string,
    attempt: { onAttemptEnd(listener: ProbeListener, token: string): void },
    now = this.#clock.now(),
  ): BudgetExceededError | undefined {
    const mark = this.#current(requestClass, now);
    if (mark === undefined) return undefined;
    if (!mark.probing && now >= mark.probeAt) {
      mark.probing = true;
      attempt.onAttemptEnd(this, requestClass);
      this.#tell("probe", requestClass, undefined);
      return undefined;
    }
    return this.error(requestClass, now);
  }

  /** The error to refuse an attempt of `requestClass` with while a 402 stands; undefined otherwise. */
  error(
    requestClass: string,
    now = this.#clock.now(),
    requestedUsd?: number,
  ): BudgetExceededError | undefined {
    const mark = this.#current(requestClass, now);
    if (mark === undefined) return undefined;
    const retryAfterMs = mark.probing ? undefined : Math.max(0, mark.probeAt - now);
    return new BudgetExceededError(
      `The upstream reported the credits exhausted (402); ${retryAfterMs === undefined ? "a probe is in flight" : `the next probe is in ${Math.ceil(retryAfterMs / 1000)} s`}`,
      { ...(requestedUsd === undefined ? {} : { requestedUsd }), remainingUsd: 0, status: 402 },
      { retryAfterMs },
    );
  }

  /** @internal The probe ended. */
  attemptEnded(requestClass: string, failed: boolean, error: unknown): void {
    const mark = this.#marks.get(requestClass);
    if (!mark?.probing) return; // a 402 marked it again, or it was cleared meanwhile
    const status = isBudgetExceededError(error) ? 402 : statusOf(error);
    if (!failed || (status !== undefined && status !== 402)) {
      this.#marks.delete(requestClass);
      this.#tell("resumed", requestClass, undefined);
    } else mark.probing = false; // no answer: the next attempt probes
  }

  #current(requestClass: string, now: number): Mark | undefined {
    const mark = this.#marks.get(requestClass);
    if (mark === undefined || mark.month === monthOf(now)) return mark;
    this.#marks.delete(requestClass); // a new month: the credits are back
    return undefined;
  }

  #tell(state: "exhausted" | "probe" | "resumed", requestClass: string, nextProbeMs: number | undefined) {
    this.#events?.emit("credits", { state, requestClass, nextProbeMs });
  }
}
