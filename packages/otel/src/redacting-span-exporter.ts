import type { Attributes, AttributeValue } from "@opentelemetry/api";
import { type core, resources, type tracing } from "@opentelemetry/sdk-node";
import { redact } from "@swarmgate/core";

type ExportResult = core.ExportResult;
type ReadableSpan = tracing.ReadableSpan;
type SpanExporter = tracing.SpanExporter;
type Resource = ReadableSpan["resource"];

const cleanResources = new WeakMap<Resource, Resource>();

// Resource detectors record the command line (`process.command_args`), where a token may sit.
function redactResource(resource: Resource): Resource {
  let clean = cleanResources.get(resource);
  if (!clean) {
    const attrs = redactAttributes(resource.attributes);
    clean = attrs === resource.attributes ? resource : resources.resourceFromAttributes(attrs);
    cleanResources.set(resource, clean);
  }
  return clean;
}

function redactValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "string" ? redact(v) : v)) as AttributeValue;
  return value;
}

function redactAttributes(attrs: Attributes): Attributes {
  let out: Attributes | undefined;
  for (const [key, value] of Object.entries(attrs)) {
    const clean = redactValue(value);
    if (clean === value) continue;
    out ??= { ...attrs };
    out[key] = clean;
  }
  return out ?? attrs;
}

function redactSpan(span: ReadableSpan): ReadableSpan {
  const attributes = redactAttributes(span.attributes);
  const events = span.events.map((e) => {
    const name = redact(e.name);
    const attributes = e.attributes && redactAttributes(e.attributes);
    return name === e.name && attributes === e.attributes ? e : { ...e, name, attributes };
  });
  const links = span.links.map((l) => {
    const attributes = l.attributes && redactAttributes(l.attributes);
    return attributes === l.attributes ? l : { ...l, attributes };
  });
  const message = span.status.message === undefined ? undefined : redact(span.status.message);
  const name = redact(span.name);
  const resource = redactResource(span.resource);
  // A plain copy: the SDK's spans are frozen once ended.
  return {
    name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: message === undefined ? span.status : { ...span.status, message },
    attributes,
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/**
 * Wraps a span exporter so that nothing that looks like a credential (an `hf_` token, a
 * bearer header, any part of 8 characters or more of a secret given to `registerSecret`)
 * leaves the process, whatever an instrumentation put on a span: name, attributes, events,
 * links, status and resource. Defence in depth: swarmgate's own spans are redacted
 * when recorded.
 */
export class RedactingSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter;

  constructor(inner: SpanExporter) {
    this.#inner = inner;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans.map(redactSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}
