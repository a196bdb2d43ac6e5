import { type ParseArgsConfig, parseArgs } from "node:util";
import { closestName, MAX_TIMER_MS } from "@swarmgate/core";

/** A bad command line: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The usage text of the command that refused the arguments. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.usage = usage;
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed flags: strings, booleans for `type: "boolean"` options, arrays for `multiple: true` ones. */
export type FlagValues<O extends Options> = {
  -readonly [K in keyof O]?: O[K] extends { readonly type: "boolean" }
    ? boolean
    : O[K] extends { readonly multiple: true }
      ? string[]
      : string;
} & { help?: boolean };

/**
 * `util.parseArgs` in strict mode, with `--help` added and every parse failure turned into
 * a {@link UsageError} carrying `usage`.
 */
export function parseFlags<O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
): { values: FlagValues<O> } {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }) as { values: FlagValues<O> };
  } catch (error) {
    let message = error instanceof Error ? error.message : String(error);
    // A misspelt flag: name the closest one, as the library's options do.
    const unknown =
      (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && /'--?([^'=]+)'/.exec(message);
    const closest = unknown ? closestName(unknown[1]!, [...Object.keys(options), "help"]) : undefined;
    if (closest !== undefined)
      message = `Unknown option '--${unknown ? unknown[1] : ""}'; did you mean '--${closest}'?`;
    throw new UsageError(message, usage);
  }
}

/** Reads a numeric flag: `undefined` when absent, a UsageError unless a number within bounds. */
export function numberFlag(
  name: string,
  value: string | boolean | undefined,
  usage: string,
  { min = 0, integer = false, exclusiveMin = false } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  const tooSmall = exclusiveMin ? parsed <= min : parsed < min;
  if (!Number.isFinite(parsed) || tooSmall || (integer && !Number.isInteger(parsed))) {
    const what = `${integer ? "an integer" : "a number"} ${exclusiveMin ? "above" : "of at least"} ${min}`;
    throw new UsageError(`Expected \`--${name}\` to be ${what}, got ${JSON.stringify(value)}`, usage);
  }
  return parsed;
}

/** Reads a flag that must be one of `choices`. */
export function choiceFlag<T extends string>(
  name: string,
  value: string | boolean | undefined,
  choices: readonly T[],
  usage: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value))
    throw new UsageError(
      `Expected \`--${name}\` to be one of ${choices.join(", ")}, got ${JSON.stringify(value)}`,
      usage,
    );
  return value as T;
}

/**
 * Parses a duration: `90` or `90s` (seconds), `500ms`, `5m`, `1h`. Returns milliseconds.
 */
export function durationFlag(name: string, value: string | boolean | undefined, usage: string) {
  if (value === undefined) return undefined;
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim()) : null;
  if (!match)
    throw new UsageError(
      `Expected \`--${name}\` to be a duration like 30s, 5m, 1h or 500ms, got ${JSON.stringify(value)}`,
      usage,
    );
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"] ?? 1_000;
  const ms = Number(match[1]) * unit;
  if (ms > MAX_TIMER_MS)
    throw new UsageError(
      `Expected \`--${name}\` to be at most 596h (2³¹−1 ms, the longest a timer can hold), got ${JSON.stringify(value)}`,
      usage,
    );
  return ms;
}
