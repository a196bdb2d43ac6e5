// Option validation, p-queue style: every bad value throws a TypeError at construction,
// naming the option and the value it got.

function describe(value: unknown): string {
  if (typeof value === "string") return `\`${JSON.stringify(value)}\` (string)`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return `\`${String(value)}\` (${typeof value})`;
  if (value === null) return "`null`";
  if (Array.isArray(value)) return "an array";
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
