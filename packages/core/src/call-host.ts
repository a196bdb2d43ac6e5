import type { ActiveCalls } from "./active-calls.js";
import type { ResponseLike } from "./attempt-context.js";
import type { CallInfo } from "./call-info.js";
import type { ErrorVerdict } from "./classify.js";
import type { Clock } from "./clock.js";
import type { CreditsExhausted } from "./credits-exhausted.js";
import type { DeadlineQueue } from "./deadline-queue.js";
import type { Emitter } from "./emitter.js";
import type { GovernorEvents } from "./events.js";
import type { Observed } from "./feedback.js";
import type { Next, Policy } from "./policy.js";
import type { QuotaStore } from "./quota-store.js";
import type { StatsRecorder } from "./stats.js";
import type { GovernorTelemetry } from "./telemetry.js";

/** @internal What a call needs from its governor: the pipeline and the places it reports to. */
export interface CallHost {
  readonly defaultRequestClass: string;
  readonly totalTimeoutMs: number;
  readonly clock: Clock;
  readonly store: QuotaStore;
  readonly deadlines: DeadlineQueue;
  readonly telemetry: GovernorTelemetry;
  readonly stats: StatsRecorder;
  readonly events: Emitter<GovernorEvents>;
  readonly active: ActiveCalls;
  /** A 402 seen: no further attempt is sent but a probe every `creditsReprobeMs`. */
  readonly creditsExhausted: CreditsExhausted;
  readonly classifyError: ((error: unknown) => ErrorVerdict | undefined) | undefined;
  /** Divides server durations read from error bodies (a simulator's compressed seconds). */
  readonly headerTimeScale: number;
  /** The composed policies. */
  readonly pipeline: Next<unknown>;
  /** The policies that describe a call on its span. */
  readonly describers: readonly Policy[];
  /** Gives a response's headers to every policy that learns; returns what they said and the wait they imply. */
  feedback(response: ResponseLike, requestClass: string, info: CallInfo): Observed;
}
