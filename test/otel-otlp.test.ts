// startTelemetry's exporters end to end: a real OTLP/HTTP receiver on loopback receives the
// spans (as JSON) when telemetry shuts down, and the Prometheus endpoint serves the metrics
// under the names the dashboard queries.
import { createGovernor } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { startTelemetry } from "@swarmgate/otel";
import { expect, it } from "vitest";
import { chat } from "../examples/observability/swarm.mjs";
import { startOtlpReceiver } from "./otel-otlp-receiver.js";
import { freePort } from "./otel-support.js";

it("exports the spans over OTLP/HTTP to a receiver, and metrics on /metrics", async () => {
  const receiver = await startOtlpReceiver();
  const sim = await startSimulator({ seed: 5, latency: false, spike: false, coldStart: false });
  const port = await freePort();
  const telemetry = await startTelemetry({
    serviceName: "otlp-test",
    serviceVersion: "1.2.3",
    resourceAttributes: { "deployment.environment.name": "test" },
    otlpEndpoint: receiver.url,
    prometheusPort: port,
    prometheusHost: "127.0.0.1",
  });
  expect(telemetry.tracesUrl).toBe(`${receiver.url}/v1/traces`);
  expect(telemetry.prometheusUrl).toBe(`http://127.0.0.1:${port}/metrics`);
  const governor = createGovernor({ name: "otlp", budget: { monthlyUsd: 2 } });
  try {
    const model = "meta-llama/Llama-3.1-8B-Instruct";
    for (const stream of [false, true]) {
      const { text } = await chat(governor, {
        baseUrl: sim.url,
        token: "hf_test_pro",
        model,
        provider: "together",
        prompt: "Hello",
        stream,
        agentId: "agent-9",
      });
      await text;
    }
    const scrape = await (await fetch(telemetry.prometheusUrl ?? "")).text();
    for (const name of [
      "swarmgate_requests_total{",
      "gen_ai_client_operation_duration_bucket{",
      "gen_ai_client_token_usage_sum{",
      "gen_ai_client_operation_time_to_first_chunk_count{",
      "http_client_request_duration_count{",
      "swarmgate_credits_spent_total{",
      "swarmgate_credits_remaining{",
      "swarmgate_concurrency_limit{",
      "swarmgate_concurrency_in_flight{",
      "swarmgate_queue_depth{",
      "swarmgate_breaker_state{",
    ])
      expect(scrape).toContain(name);
    expect(scrape).toContain('swarmgate_outcome="success"');
    // The view's buckets: the GenAI conventions' 81.92 s top bucket.
    expect(scrape).toMatch(/gen_ai_client_operation_duration_bucket\{[^}]*le="81.92"/);
    expect(scrape).not.toContain("agent-9");
  } finally {
    await governor.close();
    await telemetry.shutdown();
    await telemetry.shutdown(); // idempotent
    await sim.close();
    await receiver.close();
  }

  const spans = receiver.spans();
  expect(
    receiver.bodies.some((b) => b.path === "/v1/traces" && b.contentType.startsWith("application/json")),
  ).toBe(true);
  const calls = spans.filter((s) => s.name === "chat meta-llama/Llama-3.1-8B-Instruct");
  expect(calls).toHaveLength(2);
  for (const call of calls) {
    expect(call.kind).toBe(3); // OTLP's SPAN_KIND_CLIENT
    expect(call.scope).toBe("@swarmgate/core");
    expect(call.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "huggingface",
      "gen_ai.request.model": "meta-llama/Llama-3.1-8B-Instruct",
      "swarmgate.outcome": "success",
      "swarmgate.attempts": 1,
      "gen_ai.agent.id": "agent-9",
    });
    expect(call.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(call.resource).toMatchObject({
      "service.name": "otlp-test",
      "service.version": "1.2.3",
      "deployment.environment.name": "test",
      "telemetry.distro.name": "@swarmgate/otel",
    });
    const children = spans.filter((s) => s.parentSpanId === call.spanId);
    expect(children.map((c) => [c.name, c.kind, c.traceId === call.traceId])).toEqual([["POST", 3, true]]);
    expect(children[0]?.attributes).toMatchObject({
      "http.response.status_code": 200,
      "http.request.method": "POST",
    });
  }
});
