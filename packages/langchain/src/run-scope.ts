import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { context, type Span, trace } from "@opentelemetry/api";
import { LANGCHAIN_ATTR } from "./attributes.js";
import { isGovernorCallbackHandler, type RunScope, runAttributes } from "./governor-callback-handler.js";
import { instrumentationSpanOf } from "./instrumentation-spans.js";

interface HandlerHolder {
  readonly handlers?: readonly unknown[];
  getParentRunId?(): string | undefined;
}

/**
 * @internal The scope a governed model call runs in. With a run manager: the
 * {@link GovernorCallbackHandler}'s record of the run when one is registered, else the
 * run's own ids and metadata under the active OTel context. Without one (LangChain streams
 * some model calls without it): the latest model run the handler saw start under the
 * current LangChain run. When a LangChain instrumentation (OpenInference, Traceloop) made a
 * span for the model run, that span is the parent.
 */
export async function runScopeOf(runManager: CallbackManagerForLLMRun | undefined): Promise<RunScope> {
  if (runManager) {
    const scope = ownScopeOf(runManager);
    return underSpan(scope, await instrumentationSpanOf(runManager.handlers, runManager.runId));
  }
  const config = langChainConfig();
  const holder = config?.callbacks;
  const scope = holder?.handlers
    ?.find(isGovernorCallbackHandler)
    ?.latestModelScopeUnder(holder?.getParentRunId?.());
  if (!scope) return configScope(config);
  const runId = scope.attributes[LANGCHAIN_ATTR.RUN_ID];
  return underSpan(
    scope,
    await instrumentationSpanOf(holder?.handlers, typeof runId === "string" ? runId : undefined),
  );
}

// The scope inside the instrumentation's span of the run, when it made one.
function underSpan(scope: RunScope, span: Span | undefined): RunScope {
  return span ? { ...scope, context: trace.setSpan(scope.context ?? context.active(), span) } : scope;
}

function ownScopeOf(runManager: CallbackManagerForLLMRun): RunScope {
  const handler = runManager.handlers.find(isGovernorCallbackHandler);
  const known = handler?.scopeOf(runManager.runId);
  if (known) return known;
  // Protected in the types: the run's own and inherited metadata (`lc_agent_name`, `thread_id`).
  const m = runManager as unknown as {
    metadata?: Record<string, unknown>;
    inheritableMetadata?: Record<string, unknown>;
  };
  const metadata = { ...m.inheritableMetadata, ...m.metadata };
  return {
    context: undefined,
    attributes: runAttributes({ runId: runManager.runId, parentRunId: runManager.parentRunId }, metadata),
  };
}

interface AmbientConfig {
  readonly callbacks?: HandlerHolder;
  readonly metadata?: Record<string, unknown>;
}

// The RunnableConfig of the LangChain run the current code runs in (LangGraph nodes, tools).
function langChainConfig(): AmbientConfig | undefined {
  try {
    const config = AsyncLocalStorageProviderSingleton.getRunnableConfig() as
      | { callbacks?: unknown; metadata?: Record<string, unknown> }
      | undefined;
    if (!config) return undefined;
    const callbacks = config.callbacks;
    return {
      ...(callbacks && typeof callbacks === "object" && !Array.isArray(callbacks)
        ? { callbacks: callbacks as HandlerHolder }
        : {}),
      ...(config.metadata ? { metadata: config.metadata } : {}),
    };
  } catch {
    return undefined;
  }
}

// Without a handler: the names the run's metadata gives (agent, thread, node), no run id.
function configScope(config: AmbientConfig | undefined): RunScope {
  const attributes = runAttributes({ runId: "" }, config?.metadata);
  delete attributes[LANGCHAIN_ATTR.RUN_ID];
  return { context: undefined, attributes };
}

/**
 * @internal The scope of a call made from inside a LangChain run without a run of its own
 * (embeddings called by a tool or a retriever): that run's span and names, under the span a
 * LangChain instrumentation made for that run, if any.
 */
export async function currentRunScope(): Promise<RunScope> {
  const config = langChainConfig();
  const holder = config?.callbacks;
  const runId = holder?.getParentRunId?.();
  const scope = holder?.handlers?.find(isGovernorCallbackHandler)?.runScope(runId) ?? configScope(config);
  return underSpan(scope, await instrumentationSpanOf(holder?.handlers, runId));
}

/** @internal Runs `fn` in the scope's OTel context (the governor's span becomes its child). */
export function inRunScope<T>(scope: RunScope, fn: () => T): T {
  return scope.context ? context.with(scope.context, fn) : fn();
}
