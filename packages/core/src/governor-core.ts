import type { ActiveCalls } from "./active-calls.js";
import type { ResponseLike } from "./attempt-context.js";
import type { BreakerRegistry } from "./breaker.js";
import type { CreditBudget, CreditsExhausted } from "./budget.js";
import type { Clock } from "./clock.js";
import type { ConcurrencyLimiter } from "./concurrency.js";
import type { DeadlineQueue } from "./deadline-queue.js";
import type { Emitter } from "./emitter.js";
import type { GovernorEvents } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { QuotaGate } from "./quota-gate.js";
import type { RetryBudget } from "./retry.js";
import type { StatsRecorder } from "./stats.js";
import type { GovernorTelemetry } from "./telemetry.js";

/** @internal What a call needs from its governor. */
export interface GovernorCore {
  readonly options: ResolvedOptions;
  readonly clock: Clock;
  readonly gates: ReadonlyMap<string, QuotaGate>;
  readonly concurrency: ConcurrencyLimiter | undefined;
  readonly breakers: BreakerRegistry | undefined;
  readonly budget: CreditBudget | undefined;
  /** A 402 seen this month: no further attempt is sent. */
  readonly creditsExhausted: CreditsExhausted;
  readonly retryBudget: RetryBudget | undefined;
  readonly deadlines: DeadlineQueue;
  readonly telemetry: GovernorTelemetry;
  readonly stats: StatsRecorder;
  readonly events: Emitter<GovernorEvents>;
  readonly active: ActiveCalls;
  /** Applies a response's headers to the windows; returns the wait it asks for, if any. */
  applyFeedback(response: ResponseLike, requestClass: string): number | undefined;
}
