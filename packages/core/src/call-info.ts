import type { Attributes } from "@opentelemetry/api";
import { expectDuration, expectNumber, expectObject, fail, unknownOption } from "./validate.js";

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
   * Tokens the call is expected to use (prompt estimate + `max_tokens`): what a token
   * limit (a provider's tokens per minute) takes before the answer; reconciled with the
   * reported usage after it. The Hugging Face adapters fill it in.
   */
  readonly estimatedTokens?: number;
  /** `gen_ai.request.max_tokens`: the output limit the request asks for (spans only). */
  readonly maxTokens?: number;
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

/** Every key of {@link CallInfo}: any other is refused with the closest of these. */
export const CALL_INFO_KEYS: ReadonlySet<string> = new Set<keyof CallInfo>([
  "operation",
  "model",
  "provider",
  "requestClass",
  "breakerKey",
  "estimatedCostUsd",
  "estimatedTokens",
  "maxTokens",
  "priority",
  "agent",
  "signal",
  "attemptTimeoutMs",
  "totalTimeoutMs",
  "attributes",
]);

const STRINGS: ReadonlySet<string> = new Set([
  "operation",
  "model",
  "provider",
  "requestClass",
  "breakerKey",
  "agent",
]);

const isSignal = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as AbortSignal).aborted === "boolean" &&
  typeof (value as AbortSignal).addEventListener === "function" &&
  typeof (value as AbortSignal).removeEventListener === "function";

/**
 * @internal Throws a TypeError naming the first bad field of a call's info (unknown keys
 * included, with the closest known name); `governor.run` calls it before the call exists.
 * One pass over the keys that are there: it runs on every call.
 */
export function validateCallInfo(info: unknown): CallInfo {
  if (typeof info !== "object" || info === null || Array.isArray(info))
    fail("info", "an object (the call info)", info);
  for (const key in info) {
    if (!Object.hasOwn(info, key)) continue;
    const value = (info as Record<string, unknown>)[key];
    if (value === undefined) {
      if (!CALL_INFO_KEYS.has(key)) unknownOption(key, "the call info", CALL_INFO_KEYS);
      continue;
    }
    if (STRINGS.has(key)) {
      if (typeof value !== "string") fail(`info.${key}`, "a string", value);
    } else if (key === "signal") {
      if (!isSignal(value)) fail("info.signal", "an AbortSignal", value);
    } else if (key === "estimatedCostUsd" || key === "estimatedTokens" || key === "maxTokens")
      expectNumber(`info.${key}`, value);
    else if (key === "priority") {
      if (typeof value !== "number" || !Number.isFinite(value))
        fail("info.priority", "a finite number", value);
    } else if (key === "attemptTimeoutMs" || key === "totalTimeoutMs")
      expectDuration(`info.${key}`, value, 1, true);
    else if (key === "attributes") expectObject("info.attributes", value);
    else unknownOption(key, "the call info", CALL_INFO_KEYS);
  }
  return info as CallInfo;
}
