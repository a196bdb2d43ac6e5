import type { Attributes } from "@opentelemetry/api";
import { ATTR } from "./semconv.js";

/** Attributes of one logical call that go on metrics: bounded cardinality only. */
export interface CallMetricAttributes {
  readonly operation: string;
  readonly model: string | undefined;
  readonly provider: string | undefined;
}

// More distinct (operation, model, provider) triples than this means something is putting
// unbounded values in them: start over rather than grow without end.
const MAX_LABELS = 10_000;
/** Where a call's answers came from (`server.address`, `server.port`). */
export interface CallServer {
  readonly address: string;
  readonly port: number | undefined;
}

/** What a bounded label reads on metrics past its bound (the OTel conventions' `_OTHER`). */
export const OTHER = "_OTHER";
// Distinct (server.address, server.port) pairs a governor's GenAI metrics carry; later ones are `_OTHER`.
const MAX_SERVERS = 16;

/** Which models label metrics: an allow-list and/or the first `max` distinct ones. */
export interface ModelBound {
  readonly allow: ReadonlySet<string> | undefined;
  readonly max: number;
}

/**
 * The metric attributes of one (operation, model, provider), built once and shared by every
 * call with those labels: metric attributes are the hot path's largest allocation, and
 * their number is bounded by design.
 */
export class MetricLabels implements CallMetricAttributes {
  readonly operation: string;
  readonly model: string | undefined;
  readonly provider: string | undefined;
  /** `gen_ai.operation.name`, `gen_ai.provider.name`, the model (bounded), the routed provider, the governor. */
  readonly base: Attributes;
  /** `base` with the true model: the call span's first attributes (`base` itself when the model is not bounded away). */
  readonly spanAttrs: Attributes;
  /** `{operation} {model}`: the call span's name. */
  readonly spanName: string;
  // key → value → (key2 → value2 →) attributes: nested maps, so a lookup builds no string.
  readonly #derived = new Map<string, Map<string, Attributes | Map<string, Map<string, Attributes>>>>();
  // "address:port" → these labels with server.address and server.port (GenAI metrics).
  #servers: Map<string, MetricLabels> | undefined;

  constructor(
    governor: string,
    providerName: string,
    labels: CallMetricAttributes,
    metricModel?: string,
    extra?: Attributes,
  ) {
    this.operation = labels.operation;
    this.model = labels.model;
    this.provider = labels.provider;
    const base: Attributes = {
      [ATTR.GEN_AI_OPERATION_NAME]: labels.operation,
      [ATTR.GEN_AI_PROVIDER_NAME]: providerName,
      [ATTR.SWARMGATE_GOVERNOR]: governor,
    };
    if (labels.model) base[ATTR.GEN_AI_REQUEST_MODEL] = metricModel ?? labels.model;
    if (labels.provider) base[ATTR.SWARMGATE_ROUTED_PROVIDER] = labels.provider;
    if (extra) Object.assign(base, extra);
    this.base = Object.freeze(base);
    this.spanAttrs =
      labels.model && metricModel !== undefined && metricModel !== labels.model
        ? Object.freeze({ ...base, [ATTR.GEN_AI_REQUEST_MODEL]: labels.model })
        : this.base;
    this.spanName = labels.model ? `${labels.operation} ${labels.model}` : labels.operation;
  }

  /** @internal These labels plus `server.address` and `server.port`, made once by {@link LabelCache.server}. */
  withServer(key: string, make: () => MetricLabels): MetricLabels {
    this.#servers ??= new Map();
    let found = this.#servers.get(key);
    if (!found) {
      found = make();
      this.#servers.set(key, found);
    }
    return found;
  }

  /** `base` plus one or two attributes, cached. */
  with(key: string, value: string, key2?: string, value2?: string): Attributes {
    let byValue = this.#derived.get(key);
    if (!byValue) {
      byValue = new Map();
      this.#derived.set(key, byValue);
    }
    if (key2 === undefined || value2 === undefined) {
      let attrs = byValue.get(value) as Attributes | undefined;
      if (!attrs) {
        attrs = Object.freeze({ ...this.base, [key]: value });
        byValue.set(value, attrs);
      }
      return attrs;
    }
    const pairKey = `\u0000${value}`; // a separate slot from the single-pair entry of `value`
    let byKey2 = byValue.get(pairKey) as Map<string, Map<string, Attributes>> | undefined;
    if (!byKey2) {
      byKey2 = new Map();
      byValue.set(pairKey, byKey2);
    }
    let byValue2 = byKey2.get(key2);
    if (!byValue2) {
      byValue2 = new Map();
      byKey2.set(key2, byValue2);
    }
    let attrs = byValue2.get(value2);
    if (!attrs) {
      attrs = Object.freeze({ ...this.base, [key]: value, [key2]: value2 });
      byValue2.set(value2, attrs);
    }
    return attrs;
  }
}

/**
 * The {@link MetricLabels} of one governor, by (operation, model, provider). Models and
 * servers on metrics are bounded: past the bound they read `_OTHER` (spans keep the truth).
 */
export class LabelCache {
  readonly #governor: string;
  readonly #providerName: string;
  // operation → model → provider: nested maps, so a lookup builds no string.
  readonly #labels = new Map<string, Map<string | undefined, Map<string | undefined, MetricLabels>>>();
  #size = 0;
  readonly #models: ModelBound;
  // The models (first `max` distinct, allowed ones) and servers that label metrics as they are.
  readonly #admitted = new Set<string>();
  readonly #servers = new Set<string>();

  constructor(governor: string, providerName: string, models: ModelBound = { allow: undefined, max: 100 }) {
    this.#governor = governor;
    this.#providerName = providerName;
    this.#models = models;
  }

  #metricModel(model: string | undefined): string | undefined {
    if (model === undefined || this.#admitted.has(model)) return model;
    const { allow, max } = this.#models;
    if ((allow && !allow.has(model)) || this.#admitted.size >= max) return OTHER;
    this.#admitted.add(model);
    return model;
  }

  /** `labels` plus `server.address` and `server.port`; past 16 distinct servers, `_OTHER` without a port. */
  server(labels: MetricLabels, address: string, port: number | undefined): MetricLabels {
    const key = port === undefined ? address : `${address}:${port}`;
    return labels.withServer(key, () => {
      const known = this.#servers.has(key) || (this.#servers.size < MAX_SERVERS && !!this.#servers.add(key));
      const extra: Attributes = { [ATTR.SERVER_ADDRESS]: known ? address : OTHER };
      if (known && port !== undefined) extra[ATTR.SERVER_PORT] = port;
      const metricModel = labels.base[ATTR.GEN_AI_REQUEST_MODEL] as string | undefined;
      return new MetricLabels(this.#governor, this.#providerName, labels, metricModel, extra);
    });
  }

  get(labels: CallMetricAttributes): MetricLabels {
    if (labels instanceof MetricLabels) return labels;
    let byModel = this.#labels.get(labels.operation);
    if (!byModel) {
      byModel = new Map();
      this.#labels.set(labels.operation, byModel);
    }
    let byProvider = byModel.get(labels.model);
    if (!byProvider) {
      byProvider = new Map();
      byModel.set(labels.model, byProvider);
    }
    let found = byProvider.get(labels.provider);
    if (!found) {
      if (++this.#size > MAX_LABELS) {
        this.#labels.clear();
        this.#size = 0;
      }
      const metricModel = this.#metricModel(labels.model);
      found = new MetricLabels(this.#governor, this.#providerName, labels, metricModel);
      byProvider.set(labels.provider, found);
    }
    return found;
  }
}
