import { DEFAULT_CATALOGUE, type ProviderHeaderStyle, type ProviderOptions } from "@swarmgate/hf-simulator";
import { choiceFlag, UsageError } from "./args.js";

/**
 * The flags that pick the provider a load test calls and give the embedded simulator's
 * partner providers their own limits (for `util.parseArgs`).
 */
export const PROVIDER_FLAGS = {
  provider: { type: "string" },
  "provider-limit": { type: "string", multiple: true },
  "provider-headers": { type: "string" },
  "headerless-share": { type: "string" },
  "body-hint": { type: "boolean" },
} as const;

/** The model and provider a run calls, and the partner limits the embedded simulator applies. */
export interface ProviderChoice {
  /** The Hub id, or the Hub id with a routing policy (`:fastest`, `:cheapest`, …). */
  readonly model: string;
  /** The pinned provider (`model:provider`); `undefined` when the router picks. */
  readonly provider: string | undefined;
  /** `providers` for the embedded simulator; `undefined` when no `--provider-limit`. */
  readonly limits: Readonly<Record<string, ProviderOptions>> | undefined;
}

const POLICIES = ["auto", "fastest", "cheapest", "preferred"];
const HEADER_STYLES = ["none", "openai", "together"] as const satisfies readonly ProviderHeaderStyle[];
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const LIMIT = /^([^=]+)=([^/]*)(?:\/(.*))?$/;

/** Every provider of the embedded simulator's catalogue. */
const CATALOGUE_PROVIDERS = [
  ...new Set(DEFAULT_CATALOGUE.flatMap((m) => m.providers.map((p) => p.provider))),
];

/**
 * Reads and checks the {@link PROVIDER_FLAGS} against `--model` (which may carry its own
 * `:provider`); throws a {@link UsageError} with `usage`. One `--provider-limit` and nothing
 * pinned pins the limited provider: a limit on a provider the calls never reach tests nothing.
 *
 * @example
 * providerChoiceFromFlags({ "provider-limit": ["together=60"] }, "meta-llama/Llama-3.1-8B-Instruct", true, usage);
 * // → { model: "meta-llama/Llama-3.1-8B-Instruct", provider: "together",
 * //     limits: { together: { requestsPerWindow: 60, windowMs: 60_000, headers: "none", … } } }
 */
export function providerChoiceFromFlags(
  values: {
    readonly provider?: string | undefined;
    readonly "provider-limit"?: readonly string[] | undefined;
    readonly "provider-headers"?: string | undefined;
    readonly "headerless-share"?: string | undefined;
    readonly "body-hint"?: boolean | undefined;
  },
  requestedModel: string,
  embedded: boolean,
  usage: string,
): ProviderChoice {
  const colon = requestedModel.lastIndexOf(":");
  const suffix = colon >= 0 ? requestedModel.slice(colon + 1) : undefined;
  const suffixPins = suffix !== undefined && !POLICIES.includes(suffix);
  const hubId = suffixPins ? requestedModel.slice(0, colon) : requestedModel;
  if (values.provider !== undefined && !NAME.test(values.provider))
    throw new UsageError(
      `Expected \`--provider\` to be a provider name like together, got ${JSON.stringify(values.provider)}`,
      usage,
    );
  if (values.provider !== undefined && suffix !== undefined && values.provider !== suffix)
    throw new UsageError(
      `\`--provider ${values.provider}\` contradicts \`--model ${requestedModel}\`: name the provider once`,
      usage,
    );

  const limits = limitsFromFlags(values, embedded, usage);
  const limited = limits ? Object.keys(limits) : [];
  const provider =
    values.provider ??
    (suffixPins ? suffix : suffix === undefined && limited.length === 1 ? limited[0] : undefined);
  if (embedded && provider !== undefined) {
    const served = DEFAULT_CATALOGUE.find((m) => m.id === hubId)?.providers.map((p) => p.provider);
    if (served && !served.includes(provider))
      throw new UsageError(
        `Expected \`--provider\` to be one of ${served.join(", ")} (the simulator's providers of ${hubId}), got ${JSON.stringify(provider)}`,
        usage,
      );
  }
  return { model: provider === undefined ? requestedModel : hubId, provider, limits };
}

function limitsFromFlags(
  values: Parameters<typeof providerChoiceFromFlags>[0],
  embedded: boolean,
  usage: string,
): Record<string, ProviderOptions> | undefined {
  const specs = values["provider-limit"] ?? [];
  const shaping = (["provider-headers", "headerless-share", "body-hint"] as const).find(
    (flag) => values[flag] !== undefined,
  );
  if (specs.length === 0) {
    if (shaping)
      throw new UsageError(`\`--${shaping}\` shapes a provider's 429s: it needs \`--provider-limit\``, usage);
    return undefined;
  }
  if (!embedded)
    throw new UsageError(
      "`--provider-limit` sets the embedded simulator's provider limits: it needs the default target",
      usage,
    );
  const headers: ProviderHeaderStyle =
    choiceFlag("provider-headers", values["provider-headers"], HEADER_STYLES, usage) ?? "none";
  const share = values["headerless-share"];
  const headerlessShare = share === undefined || share.trim() === "" ? Number.NaN : Number(share);
  if (share !== undefined && !(headerlessShare >= 0 && headerlessShare <= 1))
    throw new UsageError(
      `Expected \`--headerless-share\` to be a number from 0 to 1, got ${JSON.stringify(values["headerless-share"])}`,
      usage,
    );
  const bodyHint = values["body-hint"] === true;
  const limits: Record<string, ProviderOptions> = {};
  for (const spec of specs) {
    const match = LIMIT.exec(spec.trim());
    const name = match?.[1]?.trim() ?? "";
    if (
      !match ||
      !NAME.test(name) ||
      !/^\d+$/.test(match[2]!) ||
      (match[3] !== undefined && !/^\d+$/.test(match[3]))
    )
      throw new UsageError(
        `Expected \`--provider-limit\` to be <provider>=<requestsPerMinute>[/<tokensPerMinute>] like together=60 or together=60/20000, got ${JSON.stringify(spec)}`,
        usage,
      );
    if (!CATALOGUE_PROVIDERS.includes(name))
      throw new UsageError(
        `Expected the provider of \`--provider-limit\` to be one of ${CATALOGUE_PROVIDERS.join(", ")}, got ${JSON.stringify(name)}`,
        usage,
      );
    if (name in limits)
      throw new UsageError(`\`--provider-limit\` names ${name} twice: give each provider one limit`, usage);
    limits[name] = {
      requestsPerWindow: Number(match[2]),
      ...(match[3] === undefined ? {} : { tokensPerWindow: Number(match[3]) }),
      windowMs: 60_000,
      headers,
      bodyHint,
      headerlessShare: share === undefined ? 0 : headerlessShare,
    };
  }
  return limits;
}
