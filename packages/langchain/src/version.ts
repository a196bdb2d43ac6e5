/** The version of `@swarmgate/langchain`, for telemetry. */
export const VERSION = "0.1.0";
