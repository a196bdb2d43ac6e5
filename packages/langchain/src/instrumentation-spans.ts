import { consumeCallback } from "@langchain/core/callbacks/promises";
import { diag, type Span, trace } from "@opentelemetry/api";

// OpenTelemetry instrumentations of LangChain make their spans in callbacks and never make
// them the active context (LangChain gives a callback handler no way to wrap the run's
// execution), so a model's own spans would start in another tree. Each keeps its open spans
// by run id in a field its types call private: the only place where the span of a run can be
// read without patching LangChain. Reading it is guarded: a handler with a known name but an
// unknown shape is reported once and left alone (the call span then starts as without it).
interface KnownTracer {
  /** The handler's `name`. */
  readonly name: string;
  /** The package, for the warning. */
  readonly from: string;
  /** The run id → span look-up of this handler, or undefined when its shape is unknown. */
  readonly reader: (handler: Record<string, unknown>) => ((runId: string) => unknown) | undefined;
}

const entrySpan = (entry: unknown): unknown =>
  typeof entry === "object" && entry !== null ? (entry as { span?: unknown }).span : undefined;

const KNOWN: readonly KnownTracer[] = [
  {
    // LangChainTracer: `runs: Record<runId, { run, span }>` (since its first release, 2024).
    name: "OpenInferenceLangChainTracer",
    from: "@arizeai/openinference-instrumentation-langchain",
    reader: ({ runs }) =>
      typeof runs === "object" && runs !== null && !Array.isArray(runs)
        ? (runId) => entrySpan((runs as Record<string, unknown>)[runId])
        : undefined,
  },
  {
    // TraceloopCallbackHandler: `spans: Map<runId, { span, runId, … }>`.
    name: "traceloop_callback_handler",
    from: "@traceloop/instrumentation-langchain",
    reader: ({ spans }) => (spans instanceof Map ? (runId) => entrySpan(spans.get(runId)) : undefined),
  },
];

const warned = new Set<string>();

interface Reader {
  readonly read: (runId: string) => unknown;
  /** LangChain runs the handler's callbacks in its background queue (not awaited). */
  readonly background: boolean;
}

function readersOf(handlers: readonly unknown[]): Reader[] {
  const readers: Reader[] = [];
  for (const handler of handlers) {
    if (typeof handler !== "object" || handler === null) continue;
    const h = handler as Record<string, unknown>;
    const known = KNOWN.find((k) => k.name === h.name);
    if (!known) continue;
    const read = known.reader(h);
    if (read) readers.push({ read, background: h.awaitHandlers !== true });
    else if (!warned.has(known.from)) {
      warned.add(known.from);
      diag.warn(
        `@swarmgate/langchain: cannot read the run spans of ${known.from} in this version; the governor's call spans start in the active context instead of under its LLM spans`,
      );
    }
  }
  return readers;
}

function isSpan(value: unknown): value is Span {
  if (typeof value !== "object" || value === null) return false;
  const s = value as Partial<Span>;
  return (
    typeof s.spanContext === "function" &&
    typeof s.isRecording === "function" &&
    trace.isSpanContextValid(s.spanContext())
  );
}

const spanIn = (readers: readonly Reader[], runId: string): Span | undefined => {
  for (const reader of readers) {
    const span = reader.read(runId);
    if (isSpan(span)) return span;
  }
  return undefined;
};

// LangChain's background callbacks run one at a time, in order, in one queue: a task queued
// now runs after the start callbacks of every run that has started so far.
const queuedSoFar = () =>
  new Promise<void>((resolve) => {
    void consumeCallback(async () => resolve(), false);
  });

/**
 * @internal The span that a LangChain instrumentation among `handlers` (OpenInference's
 * `LangChainTracer`, Traceloop's `TraceloopCallbackHandler`) made for the run `runId`, or
 * undefined. When such a handler runs in LangChain's background queue (the default) and has
 * not made the span yet, waits for the queue to run what was queued so far. Never throws.
 */
export async function instrumentationSpanOf(
  handlers: readonly unknown[] | undefined,
  runId: string | undefined,
): Promise<Span | undefined> {
  try {
    if (!handlers || !runId) return undefined;
    const readers = readersOf(handlers);
    if (readers.length === 0) return undefined;
    const span = spanIn(readers, runId);
    if (span || !readers.some((r) => r.background)) return span;
    await queuedSoFar();
    return spanIn(readers, runId);
  } catch {
    return undefined;
  }
}
