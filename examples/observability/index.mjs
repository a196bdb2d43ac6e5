// Watch a swarm: a simulated Hugging Face, one governor, a dozen agents, and OpenTelemetry
// exporting traces to Jaeger (OTLP/HTTP, localhost:4318) and metrics on :9464 for
// Prometheus. Start the stack first (`docker compose up -d` in this folder), then
// `pnpm build && node examples/observability/index.mjs`. Ctrl-C stops it cleanly.
//
//   AGENTS=24 DURATION_S=600 node examples/observability/index.mjs
import { createGovernor } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { startTelemetry } from "@swarmgate/otel";
import { runSwarm, SIMULATOR_OPTIONS, swarmGovernorOptions } from "./swarm.mjs";

const agents = Number(process.env.AGENTS ?? 12);
const durationS = Number(process.env.DURATION_S ?? 0); // 0: until Ctrl-C

// First, so that the global providers exist before the governor creates its instruments.
const telemetry = await startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? "swarmgate-example" });
const sim = await startSimulator(SIMULATOR_OPTIONS);
const governor = createGovernor(swarmGovernorOptions("example-swarm"));
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());
if (durationS > 0) setTimeout(() => stop.abort(), durationS * 1000).unref();

console.log(`simulated Hugging Face at ${sim.url}`);
console.log(`traces → ${telemetry.tracesUrl ?? "(off)"}; metrics → ${telemetry.prometheusUrl ?? "(off)"}`);
console.log(
  "Jaeger http://localhost:16686 · Prometheus http://localhost:9090 · Grafana http://localhost:3000",
);
console.log(`${agents} agents running; Ctrl-C to stop.`);

const progress = setInterval(() => {
  const s = governor.stats();
  console.log(
    `calls ${s.calls.settled} (${s.outcomes.success} ok) · retries ${JSON.stringify(s.retries)} · ` +
      `429 ${s.throttles.server_429} · 503 ${s.throttles.server_503} · p95 ${s.latencyMs.p95.toFixed(0)} ms`,
  );
}, 5_000);
progress.unref();

const result = await runSwarm({
  governor,
  baseUrl: sim.url,
  token: "hf_test_pro",
  agents,
  signal: stop.signal,
});
clearInterval(progress);
console.log(`stopped after ${result.calls} calls (${result.failures} failed); flushing telemetry…`);
await governor.close();
await telemetry.shutdown();
await sim.close();
