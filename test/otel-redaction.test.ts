// No exported attribute, event, status, resource, metric or log line carries the HF token
// or a registered secret: everything the exporters send (OTLP traces and metrics, the
// Prometheus page) and everything written to stdout/stderr is scanned.
import { createGovernor, UpstreamError } from "@swarmgate/core";
import { startSimulator } from "@swarmgate/hf-simulator";
import { startTelemetry } from "@swarmgate/otel";
import { afterEach, expect, it, vi } from "vitest";
import { chat } from "../examples/observability/swarm.mjs";
import { startOtlpReceiver } from "./otel-otlp-receiver.js";
import { captureOutput, freePort } from "./otel-support.js";

const TOKEN = "hf_RedactionCanary0123";
const PROVIDER_KEY = "together-key-Canary-0123456789"; // not token-shaped: registered as a secret
const saved = process.env.OTEL_RESOURCE_ATTRIBUTES;
afterEach(() => {
  if (saved === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
  else process.env.OTEL_RESOURCE_ATTRIBUTES = saved;
  vi.restoreAllMocks();
});

it("never exports or logs the HF token", async () => {
  const written = captureOutput();
  process.env.OTEL_RESOURCE_ATTRIBUTES = `swarm.owner.note=${TOKEN}`;
  const receiver = await startOtlpReceiver();
  const sim = await startSimulator({
    seed: 9,
    latency: false,
    spike: false,
    coldStart: false,
    tokens: { [TOKEN]: { tier: "pro" } },
  });
  const port = await freePort();
  const telemetry = await startTelemetry({
    serviceName: "redaction-test",
    otlpEndpoint: receiver.url,
    otlpMetrics: true,
    prometheusPort: port,
    prometheusHost: "127.0.0.1",
    secrets: [PROVIDER_KEY],
  });
  const governor = createGovernor({
    name: "redaction",
    retry: { maxAttempts: 2, baseDelayMs: 1, budget: false },
  });
  let scrape = "";
  try {
    const model = "Qwen/Qwen2.5-7B-Instruct";
    // A successful call, with the token in a span attribute and the provider key in another.
    const ok = await chat(governor, {
      baseUrl: sim.url,
      token: TOKEN,
      model,
      provider: "together",
      prompt: "hi",
    });
    await ok.text;
    await governor.run(async () => "ok", {
      model,
      attributes: { "swarmgate.note": `token ${TOKEN}`, "swarmgate.key": PROVIDER_KEY },
    });
    // Failures whose messages carry the token and the key: span status, error.type.
    await expect(
      governor.run(
        () => {
          throw new UpstreamError(`401 for Bearer ${TOKEN} with key ${PROVIDER_KEY}`, 401);
        },
        { model },
      ),
    ).rejects.toThrow();
    // An HTTP attempt whose URL carries the token in its query.
    await governor.run(
      async ({ attempt }) => {
        const http = governor.telemetry.startHttpAttempt({
          method: "GET",
          url: `${sim.url}/api/whoami-v2?access_token=${TOKEN}`,
          attempt,
        });
        const response = await fetch(`${sim.url}/api/whoami-v2`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        http.end({ status: response.status, error: new Error(`saw ${TOKEN}`) });
        return response.text();
      },
      { requestClass: "api", operation: "whoami" },
    );
    scrape = await (await fetch(telemetry.prometheusUrl ?? "")).text();
  } finally {
    await governor.close();
    await telemetry.shutdown();
    await sim.close();
    await receiver.close();
  }

  const traces = receiver.bodies.filter((b) => b.path === "/v1/traces");
  const metrics = receiver.bodies.filter((b) => b.path === "/v1/metrics");
  expect(traces.length).toBeGreaterThan(0);
  expect(metrics.length).toBeGreaterThan(0);
  expect(receiver.spans().length).toBeGreaterThanOrEqual(5);
  expect(scrape).toContain("swarmgate_requests_total");
  const everything = [...receiver.bodies.map((b) => b.text), scrape, ...written].join("\n");
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(PROVIDER_KEY);
  expect(everything).not.toContain(TOKEN.slice(3)); // nor the token without its prefix
  // The redaction happened where the secrets were: they were there to be removed.
  expect(everything).toContain("[REDACTED]");
  const spans = receiver.spans();
  expect(spans.some((s) => s.resource["swarm.owner.note"] === "[REDACTED]")).toBe(true);
  expect(spans.some((s) => s.attributes["swarmgate.key"] === "[REDACTED]")).toBe(true);
  // The failed HTTP attempt's exception event, as the failed call's.
  const exceptionMessages = (name: string) =>
    spans
      .filter((s) => s.name === name)
      .flatMap((s) => s.events.filter((e) => e.name === "exception"))
      .map((e) => e.attributes["exception.message"]);
  expect(exceptionMessages("GET")).toEqual(["saw [REDACTED]"]);
  expect(exceptionMessages("chat Qwen/Qwen2.5-7B-Instruct")).toContainEqual(
    "401 for Bearer [REDACTED] with key [REDACTED]",
  );
});
