import type { IncomingMessage, ServerResponse } from "node:http";

/** Which error body shape a route answers with. */
export type ErrorStyle = "router" | "hf";

/** Bodies larger than this answer 413: no simulated request needs more. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Reads the whole request body as text; `undefined` when it is too large. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a JSON body; `{ ok: false }` for malformed JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Writes a JSON response (unless the connection is gone). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** OpenAI error `type` for a status, as the router uses them. */
function openAiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * The error body of a route: OpenAI-style `{ error: { message, type, code } }` on the
 * router's OpenAI-compatible endpoints, `{ error: "..." }` on hf-inference and the Hub
 * (plus `error_type` for TGI-style validation errors).
 */
export function errorBody(style: ErrorStyle, status: number, message: string, code?: string): unknown {
  if (style === "router") return { error: { message, type: openAiType(status), code: code ?? null } };
  return status === 422 ? { error: message, error_type: "validation" } : { error: message };
}

const dropHandlers = new WeakMap<ServerResponse, () => void>();

/** Registers what to do (count it) when the simulator cuts `res` on purpose. */
export function onDrop(res: ServerResponse, handler: () => void): void {
  dropHandlers.set(res, handler);
}

/** Marks a response whose connection the simulator is about to cut on purpose. */
export function markDropped(res: ServerResponse): void {
  dropHandlers.get(res)?.();
  dropHandlers.delete(res);
}
