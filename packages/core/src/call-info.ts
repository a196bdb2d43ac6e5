import type { Attributes } from "@opentelemetry/api";

/** What a call is, for quotas, breakers, queues and telemetry. All optional. */
export interface CallInfo {
  /** `gen_ai.operation.name`: `chat`, `text_completion`, `embeddings`, … @default "chat" */
  readonly operation?: string;
  /** `gen_ai.request.model`. */
  readonly model?: string;
  /** The routed inference provider (`together`, `hf-inference`, …). */
  readonly provider?: string;
  /** The quota bucket: `inference`, `api`, `resolvers`, `pages`. @default the governor's defaultRequestClass */
  readonly requestClass?: string;
  /** The breaker to go through. @default provider ?? requestClass */
  readonly breakerKey?: string;
  /** The cost to reserve from the credit budget (USD). @default budget.estimateUsd(info) ?? budget.defaultEstimateUsd */
  readonly estimatedCostUsd?: number;
  /**
   * With `queue: "priority"`: callers with a higher priority are served first, FIFO within
   * a priority. @default 0
   */
  readonly priority?: number;
  /**
   * With `queue: "fair-share"`: waiting callers are served round-robin across agent ids, so
   * one chatty agent cannot starve the others. Calls without one share one turn. Spans only,
   * never a metric label.
   */
  readonly agent?: string;
  /** Cancels the call: waiting, sleeping between retries and the attempt in flight. */
  readonly signal?: AbortSignal;
  /** Overrides the governor's attemptTimeoutMs for this call. */
  readonly attemptTimeoutMs?: number;
  /** Overrides the governor's totalTimeoutMs for this call. */
  readonly totalTimeoutMs?: number;
  /** Extra span attributes (agent, conversation, request ids: spans only, never metrics). */
  readonly attributes?: Attributes;
}
