import { SecretIndex } from "./secret-index.js";

// Hugging Face user access tokens start with `hf_`; API keys of routed providers and bearer
// headers may appear in messages that upstream libraries build from request data.
const patterns: readonly RegExp[] = [
  /\bhf_[A-Za-z0-9]{8,}\b/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}\b/g,
];

const REDACTED = "[REDACTED]";
const knownSecrets = new SecretIndex();

/**
 * Replaces anything that looks like a credential in `text`, and every part of 8 characters
 * or more of a secret registered with {@link registerSecret} (as it is, URL-encoded or in
 * base64), with `[REDACTED]`: an upstream that echoes a token's suffix, or the token without
 * its `hf_`, does not get it out either. Applied to every error message, span attribute and
 * log line swarmgate writes. One pass over the text, whatever the number of secrets.
 *
 * @example
 * redact("401 for token hf_abcdefghijklmnop") // "401 for token [REDACTED]"
 */
export function redact(text: string): string {
  if (typeof text !== "string") return text;
  let out = text;
  const ranges = knownSecrets.ranges(out);
  if (ranges) {
    let clean = "";
    let at = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      clean += `${out.slice(at, ranges[i])}${REDACTED}`;
      at = ranges[i + 1]!;
    }
    out = clean + out.slice(at);
  }
  for (const pattern of patterns) {
    out = out.replace(pattern, (_match, scheme?: string) =>
      typeof scheme === "string" && /^bearer$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/**
 * Registers a secret (e.g. the token given to an adapter) so that {@link redact} removes it,
 * and any part of it of 8 characters or more, even when it does not look like a token.
 * Secrets shorter than 8 characters are ignored.
 */
export function registerSecret(secret: string | undefined): void {
  if (typeof secret === "string") knownSecrets.add(secret);
}

const MAX_DEPTH = 8;

/**
 * Redacts an error in place — its message, stack and string fields, the plain objects,
 * arrays and `Headers` it carries (an SDK's parsed error body, the answer's headers), then
 * the same down its `cause` chain and an `AggregateError`'s `errors` — and returns it.
 * Fields that cannot be written (a frozen error) are left as they are.
 *
 * @example
 * throw redactError(error); // what the upstream echoed of the token stays in the process
 */
export function redactError<E>(error: E): E {
  try {
    scrub(error, 0, new Set());
  } catch {
    // a value whose shape cannot be read (a revoked proxy) has nothing to scrub either
  }
  return error;
}

interface HeadersLike {
  forEach(fn: (value: string, key: string) => void): void;
}

const isHeaders = (v: object): v is HeadersLike => typeof Headers === "function" && v instanceof Headers;

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Array.isArray(v);
};

// The redacted form of a field's value, or undefined when it needs no change.
function cleaned(v: unknown, depth: number, seen: Set<object>): unknown {
  if (typeof v === "string") {
    const clean = redact(v);
    return clean === v ? undefined : clean;
  }
  if (typeof v !== "object" || v === null) return undefined;
  try {
    if (!isHeaders(v) && !(v instanceof Error) && !isPlain(v)) return undefined;
  } catch {
    return undefined; // a revoked proxy: nothing readable in it
  }
  if (isHeaders(v)) {
    // A response's headers are immutable: a redacted copy takes their place.
    const entries: [string, string][] = [];
    let changed = false;
    v.forEach((value, key) => {
      const clean = redact(value);
      changed ||= clean !== value;
      entries.push([key, clean]);
    });
    return changed ? new Headers(entries) : undefined;
  }
  if (v instanceof Error || isPlain(v)) scrub(v, depth + 1, seen);
  return undefined;
}

function scrub(value: unknown, depth: number, seen: Set<object>): void {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH || seen.has(value)) return;
  seen.add(value);
  const e = value as Record<string, unknown>;
  // `message`, `stack`, `cause` and `errors` are not enumerable; the rest are what a library added.
  for (const key of new Set(["message", "stack", "cause", "errors", ...Object.keys(e)])) {
    let v: unknown;
    try {
      v = e[key];
    } catch {
      continue; // a getter that throws is not ours to fix
    }
    const clean = cleaned(v, depth, seen);
    if (clean === undefined) continue;
    try {
      e[key] = clean;
    } catch {
      // frozen or read-only: nothing to do
    }
  }
}
