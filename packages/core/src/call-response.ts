import type { Attributes } from "@opentelemetry/api";
import type { ResponseReport } from "./attempt-context.js";
import type { CallInfo } from "./call-info.js";
import { ATTR } from "./semconv.js";
import type { CallServer } from "./telemetry-labels.js";
import { expectInteger, fail } from "./validate.js";

/** @internal What a call's attempts reported of their answers, the last report of each field winning. */
export interface ResponseTotals {
  id?: string;
  model?: string;
  finishReasons?: readonly string[];
  server?: CallServer;
}

const optionalString = (name: string, value: unknown): void => {
  if (value !== undefined && typeof value !== "string") fail(`response.${name}`, "a string", value);
};

/** @internal Validates one `reportResponse` and folds it into `totals`. */
export function addResponse(totals: ResponseTotals | undefined, r: ResponseReport): ResponseTotals {
  if (typeof r !== "object" || r === null) fail("response", "an object", r);
  optionalString("id", r.id);
  optionalString("model", r.model);
  optionalString("serverAddress", r.serverAddress);
  const reasons = r.finishReasons;
  if (reasons !== undefined && (!Array.isArray(reasons) || reasons.some((x) => typeof x !== "string")))
    fail("response.finishReasons", "an array of strings", reasons);
  if (r.serverPort !== undefined && expectInteger("response.serverPort", r.serverPort, 0) > 65_535)
    fail("response.serverPort", "a port (0 to 65535)", r.serverPort);
  const t = totals ?? {};
  if (r.id) t.id = r.id;
  if (r.model) t.model = r.model;
  if (reasons) t.finishReasons = [...reasons];
  if (r.serverAddress) t.server = { address: r.serverAddress, port: r.serverPort };
  return t;
}

/** @internal Adds what the answers said, and the request's output limit, to the call's span attributes. */
export function addResponseAttributes(
  attrs: Attributes,
  t: ResponseTotals | undefined,
  info: CallInfo,
): void {
  if (info.maxTokens !== undefined) attrs[ATTR.GEN_AI_REQUEST_MAX_TOKENS] = info.maxTokens;
  if (!t) return;
  if (t.id) attrs[ATTR.GEN_AI_RESPONSE_ID] = t.id;
  if (t.model) attrs[ATTR.GEN_AI_RESPONSE_MODEL] = t.model;
  if (t.finishReasons) attrs[ATTR.GEN_AI_RESPONSE_FINISH_REASONS] = t.finishReasons as string[];
  if (t.server) {
    attrs[ATTR.SERVER_ADDRESS] = t.server.address;
    if (t.server.port !== undefined) attrs[ATTR.SERVER_PORT] = t.server.port;
  }
}
