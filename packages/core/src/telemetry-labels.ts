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

/**
 * The metric attributes of one (operation, model, provider), built once and shared by every
 * call with those labels: metric attributes are the hot path's largest allocation, and
 * their number is bounded by design.
 */
export class MetricLabels implements CallMetricAttributes {
  readonly operation: string;
  readonly model: string | undefined;
  readonly provider: string | undefined;
  /** `gen_ai.operation.name`, `gen_ai.provider.name`, the model, the routed provider, the governor. */
  readonly base: Attributes;
  /** `{operation} {model}`: the call span's name. */
  readonly spanName: string;
  // key → value → (key2 → value2 →) attributes: nested maps, so a lookup builds no string.
  readonly #derived = new Map<string, Map<string, Attributes | Map<string, Map<string, Attributes>>>>();

  constructor(governor: string, providerName: string, labels: CallMetricAttributes) {
    this.operation = labels.operation;
    this.model = labels.model;
    this.provider = labels.provider;
    const base: Attributes = {
      [ATTR.GEN_AI_OPERATION_NAME]: labels.operation,
      [ATTR.GEN_AI_PROVIDER_NAME]: providerName,
      [ATTR.SWARMGATE_GOVERNOR]: governor,
    };
    if (labels.model) base[ATTR.GEN_AI_REQUEST_MODEL] = labels.model;
    if (labels.provider) base[ATTR.SWARMGATE_ROUTED_PROVIDER] = labels.provider;
    this.base = Object.freeze(base);
    this.spanName = labels.model ? `${labels.operation} ${labels.model}` : labels.operation;
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

/** The {@link MetricLabels} of one governor, by (operation, model, provider). */
export class LabelCache {
  readonly #governor: string;
  readonly #providerName: string;
  // operation → model → provider: nested maps, so a lookup builds no string.
  readonly #labels = new Map<string, Map<string | undefined, Map<string | undefined, MetricLabels>>>();
  #size = 0;

  constructor(governor: string, providerName: string) {
    this.#governor = governor;
    this.#providerName = providerName;
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
      found = new MetricLabels(this.#governor, this.#providerName, labels);
      byProvider.set(labels.provider, found);
    }
    return found;
  }
}
