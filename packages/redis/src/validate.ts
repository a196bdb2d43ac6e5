import { invalidOption } from "@swarmgate/core";

export {
  expectDuration,
  expectFunction,
  expectInteger,
  expectKnownKeys,
  expectString,
  invalidOption as fail,
} from "@swarmgate/core";

/** A number in (0, 1]. */
export function expectFraction(name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0 || value > 1)
    invalidOption(name, "a number greater than 0 and at most 1", value);
  return value;
}
