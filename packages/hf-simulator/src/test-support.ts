/**
 * Helpers shared by this package's tests (excluded from the build): a fake clock moved
 * by hand and a small JSON client for the simulator.
 */
import type { Clock } from "./clock.js";

/** A clock that only moves when told. */
export interface FakeClock extends Clock {
  advance(ms: number): void;
}

/** A fake wall clock starting at `start`. */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

/** A simulator answer, body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on answers field by field.
  body: any;
}

/** Options of {@link call}. */
export interface CallOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the simulator at `baseUrl + path` and reads the whole answer. */
export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? "hf_test_pro" : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  if (hasBody) headers["content-type"] = "application/json";
  const response = await fetch(baseUrl + path, {
    method: options.method ?? (hasBody ? "POST" : "GET"),
    headers,
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  if (response.headers.get("content-type")?.startsWith("application/json")) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

/** A minimal chat body. */
export function chat(
  model = "meta-llama/Llama-3.1-8B-Instruct",
  content = "Hello there",
  extra: object = {},
) {
  return { model, messages: [{ role: "user", content }], ...extra };
}
