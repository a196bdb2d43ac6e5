import { createContextKey, trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { exemplarContext } from "./telemetry-attributes.js";

describe("exemplarContext", () => {
  const tracer = new BasicTracerProvider().getTracer("test");

  it("holds a recording span as the API reads it, and nothing else", () => {
    const span = tracer.startSpan("call");
    const ctx = exemplarContext(span);
    expect(ctx).toBeDefined();
    expect(trace.getSpan(ctx!)).toBe(span);
    expect(trace.getSpanContext(ctx!)?.traceId).toBe(span.spanContext().traceId);
    const other = createContextKey("other");
    expect(ctx!.getValue(other)).toBeUndefined();
    // Setting a value keeps the span; deleting the span leaves nothing.
    const more = ctx!.setValue(other, 1);
    expect(more.getValue(other)).toBe(1);
    expect(trace.getSpan(more)).toBe(span);
    expect(trace.getSpan(trace.deleteSpan(ctx!))).toBeUndefined();
    expect(ctx!.deleteValue(other)).toBe(ctx);
    span.end();
  });

  it("is undefined for a span that does not record", () => {
    const remote = trace.wrapSpanContext({ traceId: "1".repeat(32), spanId: "1".repeat(16), traceFlags: 1 });
    expect(remote.isRecording()).toBe(false);
    expect(exemplarContext(remote)).toBeUndefined();
  });
});
