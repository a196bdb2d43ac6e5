import { tracing } from "@opentelemetry/sdk-node";
import { registerSecret } from "@swarmgate/core";
import { expect, it } from "vitest";
import { RedactingSpanExporter } from "./redacting-span-exporter.js";

const SECRET = "Xq4Lm8Rt2Vb6Nc0Pz7Hs3Kd9Jf5Gw1";
registerSecret(SECRET);

it("redacts the name, attributes, every event, link attributes and status of each span", async () => {
  const memory = new tracing.InMemorySpanExporter();
  const provider = new tracing.BasicTracerProvider({
    spanProcessors: [new tracing.SimpleSpanProcessor(new RedactingSpanExporter(memory))],
  });
  const tracer = provider.getTracer("test");
  const other = tracer.startSpan("other");
  const span = tracer.startSpan(`call ${SECRET.slice(0, 10)}`, {
    attributes: { note: `key …${SECRET.slice(-9)}`, list: [SECRET.slice(5, 14), "fine"] },
    links: [{ context: other.spanContext(), attributes: { why: SECRET } }],
  });
  span.addEvent(`saw ${SECRET.slice(3, 12)}`); // an event without attributes
  span.addEvent("retry", { reason: `echo ${SECRET}` });
  span.setStatus({ code: 2, message: `401 for ${SECRET.slice(2)}` });
  span.end();
  other.end();
  await provider.forceFlush();
  const [exported] = memory.getFinishedSpans().filter((s) => s.name !== "other");
  expect(exported?.name).toBe("call [REDACTED]");
  expect(exported?.attributes).toEqual({ note: "key …[REDACTED]", list: ["[REDACTED]", "fine"] });
  expect(exported?.events.map((e) => [e.name, e.attributes])).toEqual([
    ["saw [REDACTED]", {}],
    ["retry", { reason: "echo [REDACTED]" }],
  ]);
  expect(exported?.links[0]?.attributes).toEqual({ why: "[REDACTED]" });
  expect(exported?.status.message).toBe("401 for [REDACTED]");
  await provider.shutdown();
});
