import { resolve } from "node:path";
import type { HuggingFaceTier } from "@swarmgate/core";
import { choiceFlag, durationFlag, numberFlag, parseFlags, UsageError } from "../args.js";
import { catchInterrupt } from "../interrupt.js";
import { LiveView } from "../live-view.js";
import { runLoad } from "../load-run.js";
import { PROVIDER_FLAGS, providerChoiceFromFlags } from "../provider-flags.js";
import { Recorder } from "../recorder.js";
import { writeReport } from "../report-html.js";
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from "../scenarios.js";
import { statusOf } from "../status.js";
import { summarize } from "../summary.js";
import { summaryTable } from "../summary-table.js";
import { openTarget, TARGET_FLAGS, targetOptionsFromFlags } from "../target.js";

export const LOADTEST_USAGE = `Usage: swarmgate loadtest [--scenario <name> | --concurrency <n> --duration <d> [--ramp <d>]] [options]

Runs a load test against the embedded simulator (default), a URL, or Hugging Face, governed
by swarmgate or --ungoverned for comparison, and prints a summary and an HTML report.

Scenarios (the seed research's five; durations in scenario time):
  baseline    5 concurrent, 5 min            medium     25 concurrent, 10 min, 1 min ramp
  high       50 concurrent, 15 min, 3 min ramp   spike     0 → 100 concurrent instantly, 5 min
  sustained  20 concurrent, 1 h, 3 min ramp
Against the embedded simulator the clock runs ×60 (one minute per wall second): baseline
takes 5 s, sustained 60 s. Against --url or --target hf it runs in real time.

Options:
  --scenario <name>     baseline|medium|high|spike|sustained (default baseline)
  --concurrency <n>     virtual users (overrides the scenario's)
  --duration <d>        e.g. 90s, 5m, 1h (scenario time; overrides the scenario's)
  --ramp <d>            users start linearly over this time; 0 = all at once
  --ungoverned          plain fetch with the seed's exponential backoff (1, 2, 4, 8, 16 s)
  --target <sim|hf>     the embedded simulator (default) or Hugging Face (needs HF_TOKEN)
  --url <url>           a Hugging Face-compatible server, e.g. one from \`swarmgate simulate\`
  --tier <tier>         free|pro|team|enterprise: token tier and governor preset (default pro)
  --time-scale <x>      simulated ms per wall ms (default 60 for the embedded simulator, 1 for --url)
  --quota <n>           the embedded simulator's inference requests per 5-min window (default: tier's)
  --model <id>          default meta-llama/Llama-3.1-8B-Instruct; \`<id>:<provider>\` pins a provider
  --provider <name>     pin every call to one provider (\`<model>:<name>\`); default: the
                        --provider-limit's provider when there is one, else the router picks
  --provider-limit <provider>=<requestsPerMinute>[/<tokensPerMinute>]
                        the embedded simulator's limit on a partner provider, e.g. together=60
                        or together=60/20000; repeatable. Its 429s carry no header by default
  --provider-headers <s>  none|openai|together: limit headers on its answers (default none)
  --headerless-share <p>  share (0..1) of its 429s sent bare: no header, no hint (default 0)
  --body-hint           append "Please try again in 11.455s." to its 429 bodies
  --max-tokens <n>      per call (default 64)
  --budget <usd>        the governor's monthly credit budget (default none); the report
                        charts what is left; past it calls fail and each user stops
  --seed <n>            the simulator's seed (default 1)
  --json                print the summary as JSON on stdout (the live view stays on stderr)
  --report <file>       HTML report path (default swarmgate-loadtest.html); --no-report for none
  --no-report           write no report
  --help                show this help

Example: a provider that throttles with no header, 60 requests a minute:
  swarmgate loadtest --scenario medium --provider-limit together=60

The summary ends with requests, 429s, 503s and other errors per provider (x-inference-provider;
answers without it count under the pinned provider or "router").

Exit codes: 0 done, 1 failure, 2 usage error, 130 interrupted (partial report written).`;

/** `swarmgate loadtest`. */
export async function loadtest(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      scenario: { type: "string" },
      concurrency: { type: "string" },
      duration: { type: "string" },
      ramp: { type: "string" },
      ungoverned: { type: "boolean" },
      "max-tokens": { type: "string" },
      budget: { type: "string" },
      ...TARGET_FLAGS,
      ...PROVIDER_FLAGS,
    },
    LOADTEST_USAGE,
  );
  if (values.help) {
    console.log(LOADTEST_USAGE);
    return 0;
  }
  const u = LOADTEST_USAGE;
  const name: ScenarioName = choiceFlag("scenario", values.scenario, SCENARIO_NAMES, u) ?? "baseline";
  const scenario = SCENARIOS[name];
  const concurrency = numberFlag("concurrency", values.concurrency, u, { min: 1, integer: true });
  const durationMs = durationFlag("duration", values.duration, u);
  const rampMs = durationFlag("ramp", values.ramp, u);
  if (durationMs !== undefined && durationMs <= 0)
    throw new UsageError("Expected `--duration` to be above 0", u);
  const targetOptions = targetOptionsFromFlags(values, u);
  const embedded = targetOptions.target === "sim" && targetOptions.url === undefined;
  const choice = providerChoiceFromFlags(
    values,
    values.model ?? "meta-llama/Llama-3.1-8B-Instruct",
    embedded,
    u,
  );
  const custom = concurrency !== undefined || durationMs !== undefined || rampMs !== undefined;
  const plan = {
    concurrency: concurrency ?? scenario.concurrency,
    durationMs: durationMs ?? scenario.durationMs,
    rampMs: rampMs ?? (concurrency !== undefined && values.scenario === undefined ? 0 : scenario.rampMs),
    governed: !values.ungoverned,
    model: choice.model,
    provider: choice.provider,
    maxTokens: numberFlag("max-tokens", values["max-tokens"], u, { min: 1, integer: true }) ?? 64,
    budgetUsd: numberFlag("budget", values.budget, u, { min: 0, exclusiveMin: true }),
  };
  if (plan.budgetUsd !== undefined && !plan.governed)
    throw new UsageError("`--budget` is the governor's: it cannot go with `--ungoverned`", u);
  if (plan.rampMs > plan.durationMs) throw new UsageError("Expected `--ramp` to be at most `--duration`", u);
  const tier: HuggingFaceTier = targetOptions.tier;
  const reportPath =
    values["no-report"] === true ? undefined : resolve(values.report ?? "swarmgate-loadtest.html");

  const target = await openTarget({ ...targetOptions, providers: choice.limits });
  const interrupt = catchInterrupt();
  const scenarioLabel = custom && values.scenario === undefined ? "custom" : name;
  const startedAt = new Date().toISOString();
  const recorder = new Recorder({
    timeScale: target.timeScale,
    bucketMs: Math.max(1_000, Math.ceil(plan.durationMs / 240 / 1_000) * 1_000),
    ...(plan.provider ? { provider: plan.provider } : {}),
  });
  const title = `swarmgate loadtest ${scenarioLabel}${plan.governed ? "" : " (ungoverned)"}`;
  const view = new LiveView(() => statusOf(recorder, title, plan.durationMs / 1000));
  const wallStart = performance.now();
  view.start();
  let result: Awaited<ReturnType<typeof runLoad>>;
  try {
    result = await runLoad(target, plan, recorder, interrupt.signal);
  } finally {
    view.stop();
    interrupt.dispose();
  }
  const simulator = await target.simulatorStats();
  await target.close();
  const recording = recorder.snapshot();
  let summary = summarize(
    {
      command: "loadtest",
      scenario: scenarioLabel,
      target: target.kind,
      targetLabel: target.label,
      governed: plan.governed,
      tier,
      timeScale: target.timeScale,
      concurrency: plan.concurrency,
      durationSeconds: plan.durationMs / 1000,
      rampSeconds: plan.rampMs / 1000,
      model: plan.provider === undefined ? plan.model : `${plan.model}:${plan.provider}`,
      startedAt,
    },
    recording,
    {
      interrupted: interrupt.interrupted,
      wallSeconds: (performance.now() - wallStart) / 1000,
      cancelled: result.cancelled,
      finalConcurrencyLimit: result.finalConcurrencyLimit,
      simulator,
    },
  );
  if (reportPath) summary = { ...summary, report: await writeReport(reportPath, summary, recording) };
  console.log(values.json ? JSON.stringify(summary, null, 2) : summaryTable(summary));
  return interrupt.interrupted ? 130 : 0;
}
