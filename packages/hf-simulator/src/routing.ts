import type { CatalogueModel, CatalogueProvider } from "./catalogue.js";

/** What routing knows about the caller and the providers right now. */
export interface RoutingContext {
  /** The user's provider order (Inference Provider settings), for `:preferred`. */
  readonly preferred?: readonly string[] | undefined;
  /** Whether a provider is available; unavailable ones are skipped by the policies. */
  readonly available?: (provider: string) => boolean;
}

/** A selection policy of the router's model suffix. */
export type RoutingPolicy = "fastest" | "cheapest" | "preferred";

/** The policies and what the default (no suffix) and `:auto` mean. */
export const ROUTING_POLICIES: readonly string[] = ["auto", "fastest", "cheapest", "preferred"];

const byOutputPrice = (a: CatalogueProvider, b: CatalogueProvider) =>
  a.outputPricePerMillion - b.outputPricePerMillion || a.inputPricePerMillion - b.inputPricePerMillion;

/**
 * The providers of `model` in the order `policy` ranks them (hub-docs inference-providers,
 * "provider selection"): `fastest` (also the default and `auto`) by throughput, highest
 * first; `cheapest` by output-token price, lowest first; `preferred` in the user's order,
 * then the rest in catalogue order. Staging mappings are never auto-routed. Ties keep the
 * catalogue order (the sort is stable).
 */
export function rankProviders(
  model: CatalogueModel,
  policy: RoutingPolicy,
  context: RoutingContext = {},
): CatalogueProvider[] {
  const live = model.providers.filter((p) => (p.status ?? "live") === "live");
  if (policy === "fastest") return [...live].sort((a, b) => b.tokensPerSecond - a.tokensPerSecond);
  if (policy === "cheapest") return [...live].sort(byOutputPrice);
  const order = context.preferred ?? [];
  const rank = (p: CatalogueProvider) => {
    const i = order.indexOf(p.provider);
    return i === -1 ? order.length : i;
  };
  return [...live].sort((a, b) => rank(a) - rank(b));
}

/**
 * The provider a policy picks: the first available one of its ranking. That is the
 * router's automatic failover: a provider flagged unavailable is skipped.
 */
export function chooseProvider(
  model: CatalogueModel,
  policy: RoutingPolicy,
  context: RoutingContext = {},
): CatalogueProvider | undefined {
  const available = context.available ?? (() => true);
  return rankProviders(model, policy, context).find((p) => available(p.provider));
}
