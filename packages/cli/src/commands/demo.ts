import { resolve } from "node:path";
import type { HuggingFaceTier } from "@swarmgate/core";
import { runAgentSwarm, type SwarmProgress } from "../agent-swarm.js";
import { durationFlag, numberFlag, parseFlags, UsageError } from "../args.js";
import { watchedGovernor } from "../governor-setup.js";
import { catchInterrupt } from "../interrupt.js";
import { LiveView } from "../live-view.js";
import { Recorder } from "../recorder.js";
import { recordingFetch } from "../recording-fetch.js";
import { writeReport } from "../report-html.js";
import { statusOf } from "../status.js";
import { summarize } from "../summary.js";
import { summaryTable } from "../summary-table.js";
import { openTarget, TARGET_FLAGS, targetOptionsFromFlags } from "../target.js";
import { startTelemetryFromFlags, TELEMETRY_OPTIONS, TELEMETRY_USAGE } from "../telemetry-flags.js";

export const DEMO_USAGE = `Usage: swarmgate demo [options]

A swarm of LangChain agents (createAgent with a tool, a governed ChatHuggingFace) runs
through the swarmgate governor against an embedded Hugging Face simulator whose clock runs
×60 (a 5-minute quota window lasts 5 s). Shows a live view, prints a summary and writes
swarmgate-report.html. With HF_TOKEN and --target hf, the same against Hugging Face.

Options:
  --agents <n>          agents in the swarm (default 50; 5 with --target hf)
  --duration <d>        agents take new tasks for this long, scenario time (default 10m:
                        10 s of wall time; 1m with --target hf); tasks started still finish
  --target <sim|hf>     the embedded simulator (default) or Hugging Face (needs HF_TOKEN)
  --url <url>           a Hugging Face-compatible server instead, e.g. \`swarmgate simulate\`
  --tier <tier>         free|pro|team|enterprise: token tier and governor preset (default pro)
  --time-scale <x>      the simulator's clock (default 60)
  --quota <n>           the simulator's inference requests per 5-min window (default 1500 for pro)
  --model <id>          default meta-llama/Llama-3.1-8B-Instruct
  --seed <n>            the simulator's seed (default 1)
  --report <file>       the HTML report (default swarmgate-report.html)
  --no-report           write no report
  --json                print the summary as JSON on stdout
${TELEMETRY_USAGE}
  --help                show this help

Exit codes: 0 done, 1 failure, 2 usage error, 130 interrupted (partial report written).`;

/** `swarmgate demo`. */
export async function demo(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      agents: { type: "string" },
      duration: { type: "string" },
      ...TARGET_FLAGS,
      ...TELEMETRY_OPTIONS,
    },
    DEMO_USAGE,
  );
  if (values.help) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const u = DEMO_USAGE;
  const targetOptions = targetOptionsFromFlags(values, u);
  const real = targetOptions.target === "hf";
  const agents = numberFlag("agents", values.agents, u, { min: 1, integer: true }) ?? (real ? 5 : 50);
  const durationMs = durationFlag("duration", values.duration, u) ?? (real ? 60_000 : 600_000);
  if (durationMs <= 0) throw new UsageError("Expected `--duration` to be above 0", u);
  const tier: HuggingFaceTier = targetOptions.tier;
  const model = values.model ?? "meta-llama/Llama-3.1-8B-Instruct";
  const reportPath = values["no-report"] ? undefined : resolve(values.report ?? "swarmgate-report.html");

  const telemetry = await startTelemetryFromFlags(values, "swarmgate-demo", u);
  const target = await openTarget(targetOptions);
  const interrupt = catchInterrupt();
  const startedAt = new Date().toISOString();
  const recorder = new Recorder({
    timeScale: target.timeScale,
    bucketMs: Math.max(1_000, Math.ceil(durationMs / 240 / 1_000) * 1_000),
  });
  const watched = watchedGovernor("swarmgate-demo", target, recorder, { recordCalls: true });
  const progress: SwarmProgress = { done: 0, failed: 0, running: 0, cancelled: 0 };
  const title = `swarmgate demo: ${agents} LangChain agents`;
  const view = new LiveView(() => statusOf(recorder, title, durationMs / 1000, { tasks: progress }));
  // A plain timer: a signal from AbortSignal.timeout() inside AbortSignal.any() can be
  // garbage-collected before it fires (Node 20).
  const stopStarting = new AbortController();
  const stopTimer = setTimeout(() => stopStarting.abort(), durationMs / target.timeScale);
  interrupt.signal.addEventListener("abort", () => stopStarting.abort(), { once: true });
  const wallStart = performance.now();
  view.start();
  try {
    await runAgentSwarm(
      {
        agents,
        governor: watched.governor,
        model,
        token: target.token,
        baseUrl: target.baseUrl,
        fetch: recordingFetch(recorder),
        signal: interrupt.signal,
        stopStarting: stopStarting.signal,
      },
      progress,
    );
  } finally {
    clearTimeout(stopTimer);
    view.stop();
  }
  const finalConcurrencyLimit = watched.governor.stats().concurrency?.limit ?? null;
  await watched.close();
  const simulator = await target.simulatorStats();
  await target.close();
  const recording = recorder.snapshot();
  let summary = summarize(
    {
      command: "demo",
      scenario: `${agents} LangChain agents`,
      target: target.kind,
      targetLabel: target.label,
      governed: true,
      tier,
      timeScale: target.timeScale,
      concurrency: agents,
      durationSeconds: durationMs / 1000,
      rampSeconds: 0,
      model,
      startedAt,
    },
    recording,
    {
      interrupted: interrupt.interrupted,
      wallSeconds: (performance.now() - wallStart) / 1000,
      cancelled: progress.cancelled,
      finalConcurrencyLimit,
      simulator,
      tasks: { completed: progress.done, failed: progress.failed },
    },
  );
  if (reportPath) summary = { ...summary, report: await writeReport(reportPath, summary, recording) };
  console.log(values.json ? JSON.stringify(summary, null, 2) : summaryTable(summary));
  if (telemetry) {
    if (telemetry.prometheusUrl && !interrupt.interrupted) {
      console.error(`Metrics stay at ${telemetry.prometheusUrl} for Prometheus: Ctrl-C to exit.`);
      await new Promise<void>((resolve) => interrupt.signal.addEventListener("abort", () => resolve()));
    }
    await telemetry.shutdown();
  }
  interrupt.dispose();
  return interrupt.interrupted ? 130 : 0;
}
