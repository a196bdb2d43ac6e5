import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { expectKnownKeys } from "@swarmgate/core";
import { LANGCHAIN_ATTR, LANGCHAIN_SPAN } from "./attributes.js";
import { VERSION } from "./version.js";

const marker = Symbol.for("swarmgate.langchain.governor_callback_handler");

/** Options of {@link GovernorCallbackHandler}. */
export interface GovernorCallbackHandlerOptions {
  /** Where the agent and tool spans go. @default the global tracer provider */
  readonly tracerProvider?: TracerProvider;
  /**
   * Start an INTERNAL span for each agent run (`invoke_agent {name}`: the root run, and every
   * run that starts a new `createAgent({ name })`) and each tool run (`execute_tool {tool}`).
   * With `false`, no span of its own: the governor's spans only get the run's names and the
   * OTel context that was active when the run started. @default true
   */
  readonly spans?: boolean;
}

const HANDLER_OPTION_KEYS: ReadonlySet<string> = new Set<keyof GovernorCallbackHandlerOptions>([
  "tracerProvider",
  "spans",
]);

/** What a governed model call inherits from its LangChain run: its parent span and its names. */
export interface RunScope {
  /** The OTel context the governor's call span starts in (its parent). */
  readonly context: Context | undefined;
  /** Span attributes of the call: agent name, conversation, run ids and names. */
  readonly attributes: Attributes;
}

interface RunState {
  readonly context: Context;
  readonly span: Span | undefined;
  readonly agentName: string | undefined;
  readonly conversationId: string | undefined;
}

// Run ids are UUIDs; run types and names are not.
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

const nameOf = (serialized: Serialized | undefined, runName: string | undefined): string =>
  runName ?? text(serialized?.name) ?? text(serialized?.id?.at(-1)) ?? "run";

/**
 * @internal The span attributes of a model run, from its ids, name and (inherited) metadata.
 * `createAgent({ name })` puts `lc_agent_name` in the metadata; LangGraph adds
 * `thread_id` and `langgraph_node`.
 */
export function runAttributes(
  run: { readonly runId: string; readonly parentRunId?: string | undefined; readonly runName?: string },
  metadata: Readonly<Record<string, unknown>> | undefined,
  inherited?: { readonly agentName?: string | undefined; readonly conversationId?: string | undefined },
): Attributes {
  const attributes: Attributes = { [LANGCHAIN_ATTR.RUN_ID]: run.runId };
  if (run.parentRunId) attributes[LANGCHAIN_ATTR.PARENT_RUN_ID] = run.parentRunId;
  if (run.runName) attributes[LANGCHAIN_ATTR.RUN_NAME] = run.runName;
  const agent = text(metadata?.lc_agent_name) ?? inherited?.agentName;
  if (agent) attributes[LANGCHAIN_ATTR.GEN_AI_AGENT_NAME] = agent;
  const conversation = text(metadata?.thread_id) ?? inherited?.conversationId;
  if (conversation) attributes[LANGCHAIN_ATTR.GEN_AI_CONVERSATION_ID] = conversation;
  const node = text(metadata?.langgraph_node);
  if (node) attributes[LANGCHAIN_ATTR.NODE] = node;
  return attributes;
}

/**
 * A LangChain callback handler that makes the governor's spans children of the agent's run
 * and gives them the agent's and the run's names. Pass it in the callbacks of the agent's
 * call (or of the model): it starts an `invoke_agent {name}` span for each agent run and an
 * `execute_tool {tool}` span for each tool, and remembers, per model run, the OTel context
 * and the attributes (`gen_ai.agent.name`, `gen_ai.conversation.id`,
 * `swarmgate.langchain.run_id`, …) that the governed models of this package put on the
 * governor's `chat {model}` span. Works next to any other tracer (LangSmith, a run collector):
 * the `swarmgate.langchain.run_id` of a governor span is the id those tracers record.
 *
 * Its callbacks are awaited (not run in the background), so that a model call always finds
 * its run; they never throw into the run.
 *
 * @example
 * const handler = new GovernorCallbackHandler();
 * await agent.invoke({ messages }, { callbacks: [handler] });
 */
export class GovernorCallbackHandler extends BaseCallbackHandler {
  name = "swarmgate_governor";
  readonly #tracer: Tracer;
  readonly #spans: boolean;
  readonly #runs = new Map<string, RunState>();
  readonly #models = new Map<string, RunScope>();
  // The latest model run under each parent run: for model streams that LangChain starts
  // without their run manager (`streamEvents`, LangGraph's v3 message streaming).
  readonly #latestModelUnder = new Map<string, string>();

  constructor(options: GovernorCallbackHandlerOptions = {}) {
    super({ _awaitHandler: true });
    if (typeof options !== "object" || options === null)
      throw new TypeError(`Expected \`options\` to be an object, got \`${String(options)}\``);
    expectKnownKeys("`GovernorCallbackHandler` options", options, HANDLER_OPTION_KEYS);
    if (options.spans !== undefined && typeof options.spans !== "boolean")
      throw new TypeError(`Expected \`spans\` to be a boolean, got \`${String(options.spans)}\``);
    this.#tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
      "@swarmgate/langchain",
      VERSION,
    );
    this.#spans = options.spans ?? true;
    Object.defineProperty(this, marker, { value: true });
  }

  /** One handler keeps the state of every run it sees: copies share it. */
  override copy(): this {
    return this;
  }

  /** The scope of a model run this handler saw start, until it ends. */
  scopeOf(runId: string): RunScope | undefined {
    return this.#models.get(runId);
  }

  /** @internal The scope of the latest model run started under `parentRunId`. */
  latestModelScopeUnder(parentRunId: string | undefined): RunScope | undefined {
    const runId = parentRunId && this.#latestModelUnder.get(parentRunId);
    return runId ? this.#models.get(runId) : undefined;
  }

  /** @internal The scope of a chain or tool run: for calls made inside it without a run of their own. */
  runScope(runId: string | undefined): RunScope | undefined {
    const run = runId ? this.#runs.get(runId) : undefined;
    if (!run || !runId) return undefined;
    return {
      context: run.context,
      attributes: runAttributes({ runId }, undefined, run),
    };
  }

  /** Runs and model runs currently tracked (for tests: 0 once every run ended). */
  get activeRuns(): number {
    return this.#runs.size + this.#models.size;
  }

  // @langchain/core declares (…, runId, runType, tags, metadata, runName, parentRunId) but its
  // CallbackManager calls (…, runId, parentRunId, tags, metadata, runType, runName): accept both.
  override handleChainStart(
    chain: Serialized,
    _inputs: unknown,
    runId: string,
    third?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    sixth?: string,
    seventh?: string,
  ): void {
    const managerOrder = third !== undefined && RUN_ID.test(third);
    const parentRunId = managerOrder
      ? third
      : seventh !== undefined && RUN_ID.test(seventh)
        ? seventh
        : undefined;
    const runName = managerOrder ? seventh : sixth;
    const parent = parentRunId ? this.#runs.get(parentRunId) : undefined;
    const name = nameOf(chain, runName);
    const declared = text(metadata?.lc_agent_name);
    // An agent run: the root of the tree this handler sees, or where a new agent starts.
    const isAgentRun = parent === undefined || (declared !== undefined && declared !== parent.agentName);
    const agentName = declared ?? parent?.agentName ?? (parent === undefined ? name : undefined);
    const conversationId = text(metadata?.thread_id) ?? parent?.conversationId;
    let ctx = parent?.context ?? context.active();
    let span: Span | undefined;
    if (isAgentRun && this.#spans) {
      const attributes = runAttributes({ runId, parentRunId, runName: name }, metadata, {
        agentName,
        conversationId,
      });
      attributes[LANGCHAIN_ATTR.GEN_AI_OPERATION_NAME] = "invoke_agent";
      span = this.#tracer.startSpan(
        LANGCHAIN_SPAN.agent(agentName ?? name),
        { kind: SpanKind.INTERNAL, attributes },
        ctx,
      );
      ctx = trace.setSpan(ctx, span);
    }
    this.#runs.set(runId, { context: ctx, span, agentName, conversationId });
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    this.#end(runId, undefined);
  }

  override handleChainError(error: unknown, runId: string): void {
    this.#end(runId, error);
  }

  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    const parent = parentRunId ? this.#runs.get(parentRunId) : undefined;
    const name = nameOf(tool, runName);
    let ctx = parent?.context ?? context.active();
    let span: Span | undefined;
    if (this.#spans) {
      const attributes = runAttributes({ runId, parentRunId, runName: name }, metadata, parent);
      attributes[LANGCHAIN_ATTR.GEN_AI_OPERATION_NAME] = "execute_tool";
      attributes[LANGCHAIN_ATTR.GEN_AI_TOOL_NAME] = name;
      if (toolCallId) attributes[LANGCHAIN_ATTR.GEN_AI_TOOL_CALL_ID] = toolCallId;
      span = this.#tracer.startSpan(LANGCHAIN_SPAN.tool(name), { kind: SpanKind.INTERNAL, attributes }, ctx);
      ctx = trace.setSpan(ctx, span);
    }
    this.#runs.set(runId, {
      context: ctx,
      span,
      agentName: parent?.agentName ?? text(metadata?.lc_agent_name),
      conversationId: parent?.conversationId ?? text(metadata?.thread_id),
    });
  }

  override handleToolEnd(_output: unknown, runId: string): void {
    this.#end(runId, undefined);
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#end(runId, error);
  }

  override handleChatModelStart(
    llm: Serialized,
    _messages: unknown,
    runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.#modelStart(llm, runId, parentRunId, metadata, runName);
  }

  override handleLLMStart(
    llm: Serialized,
    _prompts: string[],
    runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.#modelStart(llm, runId, parentRunId, metadata, runName);
  }

  override handleLLMEnd(_output: unknown, runId: string, parentRunId?: string): void {
    this.#modelEnd(runId, parentRunId);
  }

  override handleLLMError(_error: unknown, runId: string, parentRunId?: string): void {
    this.#modelEnd(runId, parentRunId);
  }

  #modelStart(
    llm: Serialized,
    runId: string,
    parentRunId: string | undefined,
    metadata: Record<string, unknown> | undefined,
    runName: string | undefined,
  ): void {
    const parent = parentRunId ? this.#runs.get(parentRunId) : undefined;
    this.#models.set(runId, {
      context: parent?.context ?? context.active(),
      attributes: runAttributes({ runId, parentRunId, runName: nameOf(llm, runName) }, metadata, parent),
    });
    if (parentRunId) this.#latestModelUnder.set(parentRunId, runId);
  }

  #modelEnd(runId: string, parentRunId: string | undefined): void {
    this.#models.delete(runId);
    if (parentRunId && this.#latestModelUnder.get(parentRunId) === runId)
      this.#latestModelUnder.delete(parentRunId);
  }

  #end(runId: string, error: unknown): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    this.#runs.delete(runId);
    this.#latestModelUnder.delete(runId);
    if (!run.span) return;
    try {
      if (error !== undefined) {
        const type = error instanceof Error ? error.name : typeof error;
        run.span.setAttribute("error.type", type);
        run.span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      run.span.end();
    } catch {
      // telemetry never throws into the run
    }
  }
}

/** True for a {@link GovernorCallbackHandler}, from any copy of this package. */
export function isGovernorCallbackHandler(value: unknown): value is GovernorCallbackHandler {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
