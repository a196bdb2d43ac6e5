import type { Attributes, AttributeValue } from "@opentelemetry/api";
import { redact } from "./redact.js";

// Span attributes given by the user (agent and conversation ids) are free text: a token
// pasted into one must not reach an exporter.
export function redactAttributes(attrs: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attrs)) {
    out[key] = (typeof value === "string" ? redact(value) : value) as AttributeValue;
  }
  return out;
}

/** `error.type`: the swarmgate code, the HTTP status, or the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "_OTHER";
  const e = error as { code?: unknown; status?: unknown; name?: unknown };
  if (typeof e.status === "number") return String(e.status);
  if (typeof e.code === "string" && /^[a-z_]+$/.test(e.code)) return e.code;
  return typeof e.name === "string" && e.name ? e.name : "_OTHER";
}
