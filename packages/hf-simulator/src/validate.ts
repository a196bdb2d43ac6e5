/**
 * Option checks that throw ``TypeError("Expected `x` to be …, got …")`` at construction,
 * so a bad value fails loudly before the server listens rather than mid-test.
 */

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

/** A finite number ≥ `min` (or > `min` when `exclusive`); Infinity passes when `exclusive`. */
export function expectNumber(name: string, value: unknown, min: number, exclusive = false): number {
  const ok =
    typeof value === "number" &&
    !Number.isNaN(value) &&
    (exclusive ? value > min : value >= min) &&
    (Number.isFinite(value) || (exclusive && value === Number.POSITIVE_INFINITY));
  if (!ok) {
    const what =
      min === 0 ? (exclusive ? "a positive number" : "a non-negative number") : `a number ≥ ${min}`;
    throw new TypeError(`Expected \`${name}\` to be ${what}, got ${show(value)}`);
  }
  return value as number;
}

/** An integer ≥ `min`. */
export function expectInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const what = min === 0 ? "a non-negative integer" : `an integer ≥ ${min}`;
    throw new TypeError(`Expected \`${name}\` to be ${what}, got ${show(value)}`);
  }
  return value;
}

/** A probability in [0, 1]. */
export function expectProbability(name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    throw new TypeError(`Expected \`${name}\` to be a probability between 0 and 1, got ${show(value)}`);
  return value;
}

/** A boolean. */
export function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean")
    throw new TypeError(`Expected \`${name}\` to be a boolean, got ${show(value)}`);
  return value;
}

/** One of `allowed`. */
export function expectOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new TypeError(
      `Expected \`${name}\` to be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(value)}`,
    );
  return value as T;
}
