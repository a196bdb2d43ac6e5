import { inspect } from "node:util";
import { createGovernor, redact } from "@swarmgate/core";
import { describe, expect, it } from "vitest";
import { redisStore } from "./redis-store.js";
import { uniquePrefix } from "./test-support.js";

const PASSWORD = "redis-Canary-pass-0123";

describe("a Redis store given a URL with a password", () => {
  it("never prints or serializes the password, and redacts it wherever it appears", async () => {
    // Nothing answers on this port: the store is built and answers from its fallback.
    const store = redisStore({
      url: `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/0`,
      prefix: uniquePrefix("secrets"),
      logger: () => {},
    });
    const governor = createGovernor({ name: "secrets", store });
    try {
      const shown = [
        inspect(store, { depth: Number.POSITIVE_INFINITY }),
        JSON.stringify(store),
        inspect(governor, { depth: Number.POSITIVE_INFINITY }),
        String(store),
      ];
      for (const text of shown) expect(text).not.toContain(PASSWORD.slice(4, 12));
      expect(inspect(store)).toContain("RedisStore");
      expect(JSON.parse(JSON.stringify(store))).toMatchObject({ kind: "redis" });
      // Still reachable for whoever needs the client itself.
      expect((store.client.options as { password?: string }).password).toBe(PASSWORD);
      expect(redact(`AUTH failed for ${PASSWORD}`)).not.toContain(PASSWORD.slice(0, 8));
    } finally {
      await governor.close();
      await store.close();
    }
  });
});
