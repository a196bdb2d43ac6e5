/** The version of @swarmgate/cli. */
export const VERSION = "0.1.0";
