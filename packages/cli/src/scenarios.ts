/**
 * The seed research's five load-test scenarios ("Recommended Test Scenarios"), in scenario
 * time — the time the service sees. Against the simulator the clock is compressed by
 * {@link DEFAULT_TIME_SCALE} (one simulated minute = one wall second), so the five-minute
 * baseline runs in 5 s and the one-hour sustained test in 60 s; against a URL or Hugging
 * Face itself they run in real time.
 */
export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** Virtual users (agents) at full load. */
  readonly concurrency: number;
  /** How long the load lasts, ramp included (scenario ms). */
  readonly durationMs: number;
  /** Users arrive linearly over this time; 0 = all at once (scenario ms). */
  readonly rampMs: number;
}

/** The scenario names, in the seed's order. */
export const SCENARIO_NAMES = ["baseline", "medium", "high", "spike", "sustained"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Simulated ms per wall ms of the embedded simulator unless `--time-scale` says otherwise. */
export const DEFAULT_TIME_SCALE = 60;

const MINUTE = 60_000;

/** The five scenarios. */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  baseline: {
    name: "baseline",
    description: "5 concurrent for 5 minutes: measure baseline performance",
    concurrency: 5,
    durationMs: 5 * MINUTE,
    rampMs: 0,
  },
  medium: {
    name: "medium",
    description: "25 concurrent for 10 minutes, 1-minute ramp: validate rate limits",
    concurrency: 25,
    durationMs: 10 * MINUTE,
    rampMs: MINUTE,
  },
  high: {
    name: "high",
    description: "50 concurrent for 15 minutes, 3-minute ramp: find the breaking point",
    concurrency: 50,
    durationMs: 15 * MINUTE,
    rampMs: 3 * MINUTE,
  },
  spike: {
    name: "spike",
    description: "0 → 100 concurrent instantly, for 5 minutes: test error handling",
    concurrency: 100,
    durationMs: 5 * MINUTE,
    rampMs: 0,
  },
  sustained: {
    name: "sustained",
    description: "the PRO target of 20 concurrent for 1 hour, 3-minute ramp: production simulation",
    concurrency: 20,
    durationMs: 60 * MINUTE,
    rampMs: 3 * MINUTE,
  },
};

/** When the `index`-th of `count` users starts, with a linear ramp over `rampMs`. */
export function startOffsetMs(index: number, count: number, rampMs: number): number {
  if (rampMs <= 0 || count <= 1) return 0;
  return (rampMs * index) / count;
}
