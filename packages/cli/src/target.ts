import { type HuggingFaceTier, registerSecret } from "@swarmgate/core";
import {
  type ProviderOptions,
  type SimulatorStats,
  SUGGESTED_INFERENCE_QUOTAS,
  startSimulator,
} from "@swarmgate/hf-simulator";
import { choiceFlag, numberFlag, UsageError } from "./args.js";

/** Where a run sends its requests. */
export interface Target {
  /** `sim`: the embedded simulator; `url`: a server at `--url`; `hf`: Hugging Face itself. */
  readonly kind: "sim" | "url" | "hf";
  /** Where Hugging Face's hosts are sent; `undefined` for Hugging Face itself. */
  readonly baseUrl: string | undefined;
  /** The token (never printed). */
  readonly token: string;
  readonly tier: HuggingFaceTier;
  /** Simulated ms per wall ms (1 for a real service). */
  readonly timeScale: number;
  /** A label for tables and reports: no token, no credentials. */
  readonly label: string;
  /** The simulator's own counters, when the target is one (the `overQuota` audit). */
  simulatorStats(): Promise<SimulatorStats | undefined>;
  close(): Promise<void>;
}

/** Options shared by `demo` and `loadtest` to pick a target. */
export interface TargetOptions {
  readonly target: "sim" | "hf";
  readonly url: string | undefined;
  readonly tier: HuggingFaceTier;
  readonly timeScale: number | undefined;
  readonly seed: number;
  /** The embedded simulator's inference quota per 5-minute window. */
  readonly quota: number | undefined;
  /** The embedded simulator's partner provider limits (`--provider-limit`). @default none */
  readonly providers?: Readonly<Record<string, ProviderOptions>> | undefined;
  readonly usage: string;
}

/** The flags that pick a target, shared by `demo` and `loadtest` (for `util.parseArgs`). */
export const TARGET_FLAGS = {
  target: { type: "string" },
  url: { type: "string" },
  tier: { type: "string" },
  "time-scale": { type: "string" },
  quota: { type: "string" },
  model: { type: "string" },
  seed: { type: "string" },
  json: { type: "boolean" },
  report: { type: "string" },
  "no-report": { type: "boolean" },
} as const;

const TIERS = ["free", "pro", "team", "enterprise"] as const;

/** Reads and checks the {@link TARGET_FLAGS}; throws a {@link UsageError} with `usage`. */
export function targetOptionsFromFlags(
  values: {
    readonly target?: string | undefined;
    readonly url?: string | undefined;
    readonly tier?: string | undefined;
    readonly "time-scale"?: string | undefined;
    readonly quota?: string | undefined;
    readonly seed?: string | undefined;
  },
  usage: string,
): TargetOptions {
  const target = choiceFlag("target", values.target, ["sim", "hf"] as const, usage) ?? "sim";
  const quota = numberFlag("quota", values.quota, usage, { min: 1, integer: true });
  if (quota !== undefined && (target === "hf" || values.url !== undefined))
    throw new UsageError("`--quota` sets the embedded simulator's quota: it needs the default target", usage);
  return {
    target,
    url: values.url,
    tier: choiceFlag("tier", values.tier, TIERS, usage) ?? "pro",
    timeScale: numberFlag("time-scale", values["time-scale"], usage, { min: 0, exclusiveMin: true }),
    seed: numberFlag("seed", values.seed, usage, { integer: true }) ?? 1,
    quota,
    usage,
  };
}

/** The simulator's answer time: a realistic ~1 s per chat call (simulated ms). */
const SIM_LATENCY = { baseMs: 700, jitter: 0.25 };

/** Starts the embedded simulator, or checks `--url` / `HF_TOKEN`. */
export async function openTarget(o: TargetOptions): Promise<Target> {
  if (o.target === "hf") {
    if (o.url !== undefined) throw new UsageError("`--url` and `--target hf` exclude each other", o.usage);
    const token = process.env.HF_TOKEN;
    if (!token) throw new UsageError("`--target hf` needs a Hugging Face token in HF_TOKEN", o.usage);
    registerSecret(token);
    return {
      kind: "hf",
      baseUrl: undefined,
      token,
      tier: o.tier,
      timeScale: 1,
      label: "Hugging Face (router.huggingface.co)",
      simulatorStats: async () => undefined,
      close: async () => {},
    };
  }
  if (o.url !== undefined) {
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      throw new UsageError(`Expected \`--url\` to be a URL, got ${JSON.stringify(o.url)}`, o.usage);
    }
    const base = url.href.replace(/\/+$/, "");
    const token = process.env.HF_TOKEN || `hf_test_${o.tier}`;
    registerSecret(token);
    return {
      kind: "url",
      baseUrl: base,
      token,
      tier: o.tier,
      timeScale: o.timeScale ?? 1,
      label: `${url.origin}${url.pathname === "/" ? "" : url.pathname}`,
      simulatorStats: async () => {
        try {
          const response = await fetch(`${base}/__sim/stats`, { signal: AbortSignal.timeout(2_000) });
          return response.ok ? ((await response.json()) as SimulatorStats) : undefined;
        } catch {
          return undefined;
        }
      },
      close: async () => {},
    };
  }
  const timeScale = o.timeScale ?? 60;
  const sim = await startSimulator({
    timeScale,
    seed: o.seed,
    coldStart: false,
    latency: SIM_LATENCY,
    // Invented behaviours, turned on so that a demo has limits to show (docs/cli.md): an
    // inference window (Hugging Face publishes no number; the tier's suggested one unless
    // --quota), its "inference" RateLimit headers, which the live view and the report
    // read, and the hidden concurrency cap. None of them is the simulator's default.
    quotas: { [o.tier]: { inference: o.quota ?? SUGGESTED_INFERENCE_QUOTAS[o.tier] } },
    inferenceRateLimitHeaders: true,
    maxConcurrent: true,
    ...(o.providers ? { providers: o.providers } : {}),
  });
  const limits = Object.entries(o.providers ?? {}).map(
    ([name, p]) =>
      `${name} ${p.requestsPerWindow} rpm${p.tokensPerWindow === undefined ? "" : `/${p.tokensPerWindow} tpm`}`,
  );
  return {
    kind: "sim",
    baseUrl: sim.url,
    token: `hf_test_${o.tier}`,
    tier: o.tier,
    timeScale,
    label: `embedded simulator (${[o.tier, `time ×${timeScale}`, ...limits].join(", ")})`,
    simulatorStats: async () => sim.stats(),
    close: () => sim.close(),
  };
}
