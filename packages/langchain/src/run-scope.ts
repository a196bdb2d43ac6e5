import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { context } from "@opentelemetry/api";
import { LANGCHAIN_ATTR } from "./attributes.js";
import { isGovernorCallbackHandler, type RunScope, runAttributes } from "./governor-callback-handler.js";

interface HandlerHolder {
  readonly handlers?: readonly unknown[];
  getParentRunId?(): string | undefined;
}

/**
 * @internal The scope a governed model call runs in. With a run manager: the
 * {@link GovernorCallbackHandler}'s record of the run when one is registered, else the
 * run's own ids and metadata under the active OTel context. Without one (LangChain streams
 * some model calls without it): the latest model run the handler saw start under the
 * current LangChain run.
 */
export function runScopeOf(runManager: CallbackManagerForLLMRun | undefined): RunScope {
  if (runManager) {
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
  const config = langChainConfig();
  const holder = config?.callbacks;
  const scope = holder?.handlers
    ?.find(isGovernorCallbackHandler)
    ?.latestModelScopeUnder(holder?.getParentRunId?.());
  return scope ?? configScope(config);
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
 * (embeddings called by a tool or a retriever): that run's span and names.
 */
export function currentRunScope(): RunScope {
  const config = langChainConfig();
  const holder = config?.callbacks;
  const scope = holder?.handlers?.find(isGovernorCallbackHandler)?.runScope(holder?.getParentRunId?.());
  return scope ?? configScope(config);
}

/** @internal Runs `fn` in the scope's OTel context (the governor's span becomes its child). */
export function inRunScope<T>(scope: RunScope, fn: () => T): T {
  return scope.context ? context.with(scope.context, fn) : fn();
}
