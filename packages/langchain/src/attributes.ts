/**
 * Span attribute names of this package, in one place so that they can follow the GenAI
 * semantic conventions as they move. They go on spans only, never on metrics.
 */
export const LANGCHAIN_ATTR = {
  /** `gen_ai.agent.name`: the agent (`createAgent({ name })`) or the root run's name. */
  GEN_AI_AGENT_NAME: "gen_ai.agent.name",
  /** `gen_ai.conversation.id`: the LangGraph `thread_id`, when the run has one. */
  GEN_AI_CONVERSATION_ID: "gen_ai.conversation.id",
  GEN_AI_OPERATION_NAME: "gen_ai.operation.name",
  GEN_AI_TOOL_NAME: "gen_ai.tool.name",
  GEN_AI_TOOL_CALL_ID: "gen_ai.tool.call.id",
  /** The LangChain run id of the model call (the id other LangChain tracers record). */
  RUN_ID: "swarmgate.langchain.run_id",
  /** The LangChain run id of its parent (the graph node, chain or agent). */
  PARENT_RUN_ID: "swarmgate.langchain.parent_run_id",
  /** The run's name (`runName`, or the model / chain / tool name). */
  RUN_NAME: "swarmgate.langchain.run_name",
  /** The LangGraph node the call was made from (`langgraph_node`). */
  NODE: "swarmgate.langchain.node",
} as const;

/** The span names of the runs the callback handler traces (GenAI conventions). */
export const LANGCHAIN_SPAN = {
  agent: (name: string) => `invoke_agent ${name}`,
  tool: (name: string) => `execute_tool ${name}`,
} as const;
