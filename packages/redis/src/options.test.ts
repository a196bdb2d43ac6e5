import { describe, expect, it } from "vitest";
import { redisStore } from "./redis-store.js";

describe("redisStore options", () => {
  it.each([
    [{}, /Expected `client` to be an ioredis client/],
    [{ client: {} }, /Expected `client` to be an ioredis Redis or Cluster client, got an object/],
    [{ url: "http://x" }, /Expected `url` to be a redis:\/\/ or rediss:\/\/ URL/],
    [{ url: "redis://x", prefix: "" }, /Expected `prefix` to be a non-empty string, got `""` \(string\)/],
    [
      { url: "redis://x", fallbackShare: 0 },
      /Expected `fallbackShare` to be a number greater than 0 and at most 1, got `0`/,
    ],
    [
      { url: "redis://x", leaseTtlMs: 1_000, heartbeatMs: 1_000 },
      /Expected `heartbeatMs` to be less than leaseTtlMs/,
    ],
    [{ url: "redis://x", prefetch: -1 }, /Expected `prefetch` to be an integer ≥ 0, got `-1` \(number\)/],
    [{ url: "redis://x", logger: "console" }, /Expected `logger` to be a function/],
  ])("rejects %j at construction", (options, message) => {
    expect(() => redisStore(options as never)).toThrow(TypeError);
    expect(() => redisStore(options as never)).toThrow(message);
  });
});
