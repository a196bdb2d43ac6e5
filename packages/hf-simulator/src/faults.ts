import type { FaultOptions } from "./options.js";
import { expectInteger, expectProbability } from "./validate.js";

/** Faults switched at runtime (`inject()` or `POST /__sim/faults`), over the configured ones. */
export interface FaultPatch {
  /** `true` (503) or `{ status }` starts an outage now; `false` ends it. */
  readonly outage?: boolean | { readonly status?: number };
  readonly errorRate?: number;
  readonly slowRate?: number;
  readonly dropRate?: number;
  /** Flags providers available (`true`) or unavailable (`false`), e.g. `{ together: false }`. */
  readonly providers?: Readonly<Record<string, boolean>>;
}

/** Configured faults plus runtime switches. */
export class Faults {
  readonly #configured: Required<FaultOptions>;
  #patch: {
    outageStatus?: number;
    errorRate?: number;
    slowRate?: number;
    dropRate?: number;
    providers?: Record<string, boolean>;
  } = {};

  /** @param configured the `faults` option, resolved. */
  constructor(configured: Required<FaultOptions>) {
    this.#configured = configured;
  }

  /** Applies a runtime switch; throws `TypeError` on bad values. */
  set(patch: FaultPatch): void {
    const next = { ...this.#patch };
    if (patch.outage !== undefined) {
      if (patch.outage === false) delete next.outageStatus;
      else
        next.outageStatus = expectInteger(
          "outage.status",
          patch.outage === true ? 503 : (patch.outage.status ?? 503),
          500,
        );
    }
    for (const name of ["errorRate", "slowRate", "dropRate"] as const) {
      const value = patch[name];
      if (value !== undefined) next[name] = expectProbability(name, value);
    }
    if (patch.providers !== undefined) {
      if (typeof patch.providers !== "object" || patch.providers === null)
        throw new TypeError(`Expected \`providers\` to be an object, got ${String(patch.providers)}`);
      for (const [name, value] of Object.entries(patch.providers))
        if (typeof value !== "boolean")
          throw new TypeError(`Expected \`providers.${name}\` to be a boolean, got ${String(value)}`);
      next.providers = { ...next.providers, ...patch.providers };
    }
    this.#patch = next;
  }

  /** A runtime availability switch of `provider`, if one was set. */
  providerAvailable(provider: string): boolean | undefined {
    return this.#patch.providers?.[provider];
  }

  /** The status every inference request gets at simulated `now`, if an outage is on. */
  outageStatus(now: number): number | undefined {
    if (this.#patch.outageStatus !== undefined) return this.#patch.outageStatus;
    const outage = this.#configured.outages.find((o) => now >= o.startMs && now < o.endMs);
    return outage ? (outage.status ?? 503) : undefined;
  }

  /** Probability of an injected 5xx. */
  get errorRate(): number {
    return this.#patch.errorRate ?? this.#configured.errorRate;
  }

  /** Status of injected errors. */
  get errorStatus(): number {
    return this.#configured.errorStatus;
  }

  /** Probability of a slow response. */
  get slowRate(): number {
    return this.#patch.slowRate ?? this.#configured.slowRate;
  }

  /** Extra simulated ms of a slow response. */
  get slowMs(): number {
    return this.#configured.slowMs;
  }

  /** Probability of a dropped connection. */
  get dropRate(): number {
    return this.#patch.dropRate ?? this.#configured.dropRate;
  }

  /** Clears runtime switches. */
  reset(): void {
    this.#patch = {};
  }
}
