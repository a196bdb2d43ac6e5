import { expectKnownKeys, type Governor } from "@swarmgate/core";
import { normalizeBaseUrl } from "./base-url.js";
import { HubLookupCoalescer } from "./hub-lookup-coalescer.js";
import { PriceBook, type PriceBookEntries } from "./price-book.js";

/** Options of {@link governedFetch}, and the governance options of `GovernedInferenceClient`. */
export interface GovernanceOptions {
  /** The `fetch` that really sends requests, under the governance. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Sends every request for `https://huggingface.co`, `https://router.huggingface.co` and
   * `https://api-inference.huggingface.co` to this base instead (the simulator, a proxy),
   * path and query unchanged. @default none
   */
  readonly baseUrl?: string;
  /**
   * Prices per model (`"model"` or `"model:provider"`), merged over {@link DEFAULT_PRICE_BOOK}
   * (examples, not HF's prices). A `PriceBook` instance is used as it is. @default DEFAULT_PRICE_BOOK
   */
  readonly priceBook?: PriceBook | PriceBookEntries;
  /**
   * The governor of calls billed to an organization (`billTo`, `X-HF-Bill-To`): one quota
   * scope and one budget per org. Without it, every call goes through `governor`.
   */
  readonly governorFor?: (billTo: string) => Governor;
  /** Output tokens assumed when estimating a call that sets no `max_tokens`. @default 256 */
  readonly defaultOutputTokens?: number;
}

/** @internal Options after defaults and validation. */
export interface ResolvedGovernance {
  readonly fetch: typeof fetch;
  readonly baseUrl: string | undefined;
  readonly priceBook: PriceBook;
  readonly governorFor: ((billTo: string) => Governor) | undefined;
  readonly defaultOutputTokens: number;
  readonly coalescer: HubLookupCoalescer;
}

const describe = (value: unknown) =>
  typeof value === "function" ? "a function" : `\`${String(value)}\` (${typeof value})`;

/** @internal Throws a TypeError unless `value` is a governor. */
export function expectGovernor(path: string, value: unknown): Governor {
  const g = value as Partial<Governor> | null;
  if (typeof g !== "object" || g === null || typeof g.run !== "function" || typeof g.observe !== "function")
    throw new TypeError(
      `Expected \`${path}\` to be a Governor (from createGovernor), got ${describe(value)}`,
    );
  return value as Governor;
}

/** Every key of {@link GovernanceOptions} (`retry_on_error` only as `false`, as in the client's). */
export const GOVERNANCE_OPTION_KEYS: readonly string[] = [
  "fetch",
  "baseUrl",
  "priceBook",
  "governorFor",
  "defaultOutputTokens",
  "retry_on_error",
] satisfies readonly (keyof GovernanceOptions | "retry_on_error")[];

/**
 * @internal Spreads the defaults once and validates once. `where` names the options in
 * messages; `known` are every key they may have (an unknown one is refused with the closest).
 */
export function resolveGovernance(
  options: GovernanceOptions,
  where = "`governedFetch` options",
  known: ReadonlySet<string> = new Set(GOVERNANCE_OPTION_KEYS),
): ResolvedGovernance {
  if (typeof options !== "object" || options === null)
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  expectKnownKeys(where, options, known);
  const retryOnError = (options as { retry_on_error?: unknown }).retry_on_error;
  if (retryOnError !== undefined && retryOnError !== false)
    throw new TypeError(
      `Expected \`retry_on_error\` to be false or absent (the governor owns retries), got ${describe(retryOnError)}`,
    );
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function")
    throw new TypeError(`Expected \`fetch\` to be a function, got ${describe(fetchImpl)}`);
  if (options.governorFor !== undefined && typeof options.governorFor !== "function")
    throw new TypeError(`Expected \`governorFor\` to be a function, got ${describe(options.governorFor)}`);
  const out = options.defaultOutputTokens ?? 256;
  if (!Number.isSafeInteger(out) || out < 0)
    throw new TypeError(
      `Expected \`defaultOutputTokens\` to be a non-negative integer, got ${describe(out)}`,
    );
  const priceBook = options.priceBook;
  if (
    priceBook !== undefined &&
    !(priceBook instanceof PriceBook) &&
    (typeof priceBook !== "object" || priceBook === null || Array.isArray(priceBook))
  )
    throw new TypeError(
      `Expected \`priceBook\` to be a PriceBook or { [model]: Price }, got ${describe(priceBook)}`,
    );
  return {
    fetch: fetchImpl,
    baseUrl: options.baseUrl === undefined ? undefined : normalizeBaseUrl(options.baseUrl),
    priceBook: priceBook instanceof PriceBook ? priceBook : new PriceBook(priceBook ?? {}),
    governorFor: options.governorFor,
    defaultOutputTokens: out,
    coalescer: new HubLookupCoalescer(),
  };
}

/** @internal The governor of a call billed to `billTo` (or not billed to an org). */
export function governorOf(
  governor: Governor,
  o: ResolvedGovernance,
  billTo: string | null | undefined,
): Governor {
  if (!billTo || !o.governorFor) return governor;
  return expectGovernor(`governorFor("${billTo}")`, o.governorFor(billTo));
}
