// Option validation, p-queue style: every bad value throws a TypeError at construction,
// naming the option and the value it got.

import { MAX_TIMER_MS } from "./clock.js";

function describe(value: unknown): string {
  if (typeof value === "string") return `\`${JSON.stringify(value)}\` (string)`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return `\`${String(value)}\` (${typeof value})`;
  if (value === null) return "`null`";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return `\`${String(value)}\` (symbol)`;
  return typeof value === "object" ? "an object" : `\`${String(value)}\` (${typeof value})`;
}

/** Throws ``TypeError("Expected `name` to be <what>, got <value>")``. */
export function fail(name: string, what: string, value: unknown): never {
  throw new TypeError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
}

/** A finite number ≥ `min` (and ≤ `max`). */
export function expectNumber(name: string, value: unknown, min = 0, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max || value === Infinity)
    fail(
      name,
      max === Number.POSITIVE_INFINITY ? `a finite number ≥ ${min}` : `a number from ${min} to ${max}`,
      value,
    );
  return value;
}

/** An integer ≥ `min`; `Infinity` too when `allowInfinity`. */
export function expectInteger(name: string, value: unknown, min = 0, allowInfinity = false): number {
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    fail(name, `an integer ≥ ${min}${allowInfinity ? " or Infinity" : ""}`, value);
  return value;
}

/** A non-empty string. */
export function expectString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) fail(name, "a non-empty string", value);
  return value;
}

/** One of `choices`. */
export function expectOneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !choices.includes(value as T))
    fail(name, `one of ${choices.map((c) => `"${c}"`).join(", ")}`, value);
  return value as T;
}

/** A function. */
export function expectFunction<F>(name: string, value: unknown): F {
  if (typeof value !== "function") fail(name, "a function", value);
  return value as F;
}

/** A plain object (or undefined, returned as `{}`). */
export function expectObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(name, "an object", value);
  return value as Record<string, unknown>;
}

/**
 * A duration in milliseconds from `min` to {@link MAX_TIMER_MS} (`Infinity` too when
 * `allowInfinity`): anything longer cannot be held by a timer, so it is refused here rather
 * than fire after 1 ms later.
 */
export function expectDuration(name: string, value: unknown, min = 0, allowInfinity = false): number {
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > MAX_TIMER_MS)
    fail(
      name,
      `a duration in ms from ${min} to ${MAX_TIMER_MS}${allowInfinity ? " or Infinity" : ""} (2³¹−1 ms, about 24.8 days, is the longest a timer can hold)`,
      value,
    );
  return value;
}

// Optimal string alignment distance (Damerau–Levenshtein without moves), case-insensitive.
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `key`, if one is close enough to be what was meant: a few
 * edits away (a typo, a swapped pair, a wrong case) or the known name with a prefix or
 * suffix missing (`maxDelay` for `maxDelayMs`).
 */
export function closestName(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const lower = key.toLowerCase();
  for (const name of known) {
    const n = name.toLowerCase();
    let score = distance(lower, n);
    if (lower.length >= 3 && (n.startsWith(lower) || n.endsWith(lower))) score = Math.min(score, 1.5);
    if (score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** ``TypeError("Unknown option `key` in <where>; did you mean `closest`?")``. */
export function unknownOption(key: string, where: string, known: Iterable<string>): never {
  const suggestion = closestName(key, known);
  throw new TypeError(
    `Unknown option \`${key}\` in ${where}${suggestion === undefined ? "" : `; did you mean \`${suggestion}\`?`}`,
  );
}

/**
 * Throws a TypeError naming the first own key of `value` that is not in `known`, with the
 * closest known name: a misspelt option would otherwise do nothing at all. `where` says
 * which object it is, as the message shows it: "`createGovernor` options", "`retry`".
 */
export function expectKnownKeys(where: string, value: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(value)) if (!known.has(key)) unknownOption(key, where, known);
}

/** Names an option object in messages: the root options of `fn`, or the nested option at `path`. */
export const optionsOf = (fn: string, path?: string): string =>
  path === undefined ? `\`${fn}\` options` : `\`${path}\``;
