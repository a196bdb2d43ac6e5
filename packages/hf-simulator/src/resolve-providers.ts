import type { EndpointOptions } from "./endpoint-options.js";
import type { ProviderOptions } from "./provider-options.js";
import { expectBoolean, expectInteger, expectNumber, expectOneOf, expectProbability } from "./validate.js";

/** A provider's options with defaults filled in. */
export interface ResolvedProvider {
  readonly requestsPerWindow: number | undefined;
  readonly tokensPerWindow: number | undefined;
  readonly windowMs: number;
  readonly headers: "none" | "openai" | "together";
  readonly bodyHint: boolean;
  readonly headerlessShare: number;
  readonly available: boolean;
}

/** Validates and fills in one provider's options. */
export function resolveProvider(name: string, value: ProviderOptions): ResolvedProvider {
  const at = (field: string) => `providers.${name}.${field}`;
  return {
    requestsPerWindow:
      value.requestsPerWindow === undefined
        ? undefined
        : expectInteger(at("requestsPerWindow"), value.requestsPerWindow, 0),
    tokensPerWindow:
      value.tokensPerWindow === undefined
        ? undefined
        : expectInteger(at("tokensPerWindow"), value.tokensPerWindow, 0),
    windowMs: expectNumber(at("windowMs"), value.windowMs ?? 60_000, 0, true),
    headers: expectOneOf(at("headers"), value.headers ?? "none", ["none", "openai", "together"] as const),
    bodyHint: expectBoolean(at("bodyHint"), value.bodyHint ?? false),
    headerlessShare: expectProbability(at("headerlessShare"), value.headerlessShare ?? 0),
    available: expectBoolean(at("available"), value.available ?? true),
  };
}

/** An endpoint's options with defaults filled in. */
export type ResolvedEndpoint = Required<Omit<EndpointOptions, "latency">> & {
  readonly latency: { readonly baseMs: number; readonly perOutputTokenMs: number };
};

/** The model an endpoint serves when none is named. */
export const DEFAULT_ENDPOINT_MODEL = "meta-llama/Llama-3.1-8B-Instruct";

/** Validates and fills in one endpoint's options; `knownModel` says whether the catalogue has a model. */
export function resolveEndpoint(
  value: EndpointOptions,
  knownModel: (id: string) => boolean,
): ResolvedEndpoint {
  if (typeof value !== "object" || value === null)
    throw new TypeError(`Expected an endpoint to be an object, got ${String(value)}`);
  const name = value.name;
  if (typeof name !== "string" || !/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(name))
    throw new TypeError(
      `Expected \`endpoints[].name\` to be 1-32 lowercase letters, digits or dashes, got ${JSON.stringify(name)}`,
    );
  const at = (field: string) => `endpoints.${name}.${field}`;
  const model = value.model ?? DEFAULT_ENDPOINT_MODEL;
  if (typeof model !== "string" || !knownModel(model))
    throw new TypeError(`Expected \`${at("model")}\` to be a catalogue model, got ${JSON.stringify(model)}`);
  const minReplicas = expectInteger(at("minReplicas"), value.minReplicas ?? 1, 0);
  const maxReplicas = expectInteger(at("maxReplicas"), value.maxReplicas ?? Math.max(1, minReplicas), 1);
  if (maxReplicas < minReplicas)
    throw new TypeError(`Expected \`${at("maxReplicas")}\` to be ≥ minReplicas, got ${maxReplicas}`);
  return {
    name,
    model,
    instanceType: String(value.instanceType ?? "nvidia-a10g"),
    hourlyCostUsd: expectNumber(at("hourlyCostUsd"), value.hourlyCostUsd ?? 1, 0),
    minReplicas,
    maxReplicas,
    concurrencyPerReplica: expectInteger(at("concurrencyPerReplica"), value.concurrencyPerReplica ?? 8, 1),
    queuePerReplica: expectInteger(at("queuePerReplica"), value.queuePerReplica ?? 32, 0),
    coldStartMs: expectNumber(at("coldStartMs"), value.coldStartMs ?? 60_000, 0),
    scaleToZeroAfterMs: expectNumber(at("scaleToZeroAfterMs"), value.scaleToZeroAfterMs ?? 3_600_000, 0),
    latency: {
      baseMs: expectNumber(at("latency.baseMs"), value.latency?.baseMs ?? 200, 0),
      perOutputTokenMs: expectNumber(
        at("latency.perOutputTokenMs"),
        value.latency?.perOutputTokenMs ?? 10,
        0,
      ),
    },
  };
}
