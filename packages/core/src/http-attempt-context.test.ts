import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { isGovernedHttpAttempt, transportContext } from "./http-attempt-context.js";

describe("the transport context of an HTTP attempt swarmgate makes the span of", () => {
  it("suppresses tracing for the SDK's tracer: the key is @opentelemetry/core's", () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }).getTracer("t");
    const parent = tracer.startSpan("attempt");
    const attempt = trace.setSpan(ROOT_CONTEXT, parent);
    const inner = tracer.startSpan("instrumentation's", {}, transportContext(attempt));
    expect(inner.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(inner.spanContext())).toBe(false);
    expect(tracer.startSpan("elsewhere", {}, attempt).isRecording()).toBe(true);
    // The attempt's span stays the active span of that context.
    expect(trace.getSpan(transportContext(attempt))).toBe(parent);
  });

  it("is what isGovernedHttpAttempt recognises, and nothing else", () => {
    expect(isGovernedHttpAttempt(transportContext(ROOT_CONTEXT))).toBe(true);
    // From the root context (no context manager), one context serves every attempt.
    expect(transportContext(ROOT_CONTEXT)).toBe(transportContext(ROOT_CONTEXT));
    expect(isGovernedHttpAttempt(ROOT_CONTEXT)).toBe(false);
    expect(isGovernedHttpAttempt()).toBe(false);
  });
});
