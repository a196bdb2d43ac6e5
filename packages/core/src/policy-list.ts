import type { Policy } from "./policy.js";
import { fail } from "./validate.js";

const hooks = ["learn", "describe", "state", "snapshot", "close"] as const;

/** Checks what the `policies` option returned: an array of policies, each `{ name, execute }`. */
export function expectPolicies(value: unknown): Policy[] {
  if (!Array.isArray(value)) fail("policies", "a function that returns an array of policies", value);
  return value.map((raw, i) => {
    const path = `policies[${i}]`;
    if (typeof raw !== "object" || raw === null) fail(path, "a policy ({ name, execute })", raw);
    const policy = raw as Record<string, unknown>;
    if (typeof policy.name !== "string" || policy.name.length === 0)
      fail(`${path}.name`, "a non-empty string", policy.name);
    const named = `${path} ("${policy.name}")`;
    if (typeof policy.execute !== "function") fail(`${named}.execute`, "a function", policy.execute);
    for (const hook of hooks)
      if (policy[hook] !== undefined && typeof policy[hook] !== "function")
        fail(`${named}.${hook}`, "a function", policy[hook]);
    if (policy.retries !== undefined && typeof policy.retries !== "boolean")
      fail(`${named}.retries`, "a boolean", policy.retries);
    return raw as Policy;
  });
}
