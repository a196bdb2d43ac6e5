import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "./server.js";
import { chat } from "./test-support.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** One request on its own connection (`agent: false`): its status once the body is read. */
function send(url: string, path: string, body?: unknown, token = "hf_test_pro"): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url + path,
      {
        agent: false,
        method: text === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

describe("the server's own audit under load", () => {
  it("stays exact under 1,000 concurrent connections: every answer a client saw is counted once", async () => {
    sim = await startSimulator({
      seed: 3,
      spike: false,
      coldStart: false,
      tokensPerSecond: Number.POSITIVE_INFINITY,
      // Each admitted call holds its connection for 5 s: the 1,000 connections overlap.
      latency: { baseMs: 5_000, jitter: 0 },
      // PRO: an in-flight cap (503 past it); free: an inference window (429 past it).
      quotas: { free: { inference: 150 }, pro: { api: 100 } },
      maxConcurrent: { pro: 200 },
      endpoints: [
        { name: "dedicated", concurrencyPerReplica: 40, queuePerReplica: 30, latency: { baseMs: 5_000 } },
      ],
    });
    const url = sim.url;
    const kinds = Array.from({ length: 1_000 }, (_, i) =>
      i % 10 < 7 ? (i % 2 === 0 ? "chat" : "free-chat") : i % 10 < 9 ? "api" : "endpoint",
    );
    const statuses = await Promise.all(
      kinds.map((kind) =>
        kind === "chat"
          ? send(url, "/v1/chat/completions", chat())
          : kind === "free-chat"
            ? send(url, "/v1/chat/completions", chat(), "hf_test_free")
            : kind === "api"
              ? send(url, "/api/models/openai-community/gpt2")
              : send(url, "/endpoints/dedicated/v1/chat/completions", chat()),
      ),
    );
    const seen = (kind: string, status: number) =>
      kinds.filter((k, i) => k === kind && statuses[i] === status).length;
    const stats = (await (await fetch(`${url}/__sim/stats`)).json()) as ReturnType<Simulator["stats"]>;
    // The HTTP document and the handle agree (endpoint cost grows with time, so not compared).
    expect(stats.tokens).toEqual(sim.stats().tokens);
    const token = stats.tokens["hf_…_pro"];
    const chats = kinds.filter((k) => k === "chat").length;
    // PRO's chats: the in-flight cap of 200 refuses the ones that arrive while 200 are in flight.
    expect(seen("chat", 200) + seen("chat", 503)).toBe(chats);
    expect(token?.buckets.inference).toMatchObject({
      requests: chats,
      admitted: seen("chat", 200),
      rejected429: 0,
      rejected503: seen("chat", 503),
    });
    expect(seen("chat", 503)).toBeGreaterThan(0);
    expect(token?.maxInFlight).toBe(200);
    expect(token?.inFlight).toBe(0);
    // Free chats: a window of 150, whatever the timing.
    const free = stats.tokens["hf_…free"];
    const freeChats = kinds.filter((k) => k === "free-chat").length;
    expect(free?.buckets.inference).toMatchObject({
      requests: freeChats,
      admitted: 150,
      rejected429: freeChats - 150,
      overQuota: false,
    });
    expect([seen("free-chat", 200), seen("free-chat", 429)]).toEqual([150, freeChats - 150]);
    // 200 Hub calls against a window of 100: exactly 100 pass.
    expect(token?.buckets.api).toMatchObject({
      requests: 200,
      admitted: 100,
      rejected429: 100,
      overQuota: false,
    });
    expect(seen("api", 200)).toBe(100);
    expect(seen("api", 429)).toBe(100);
    // 100 endpoint calls: 40 slots and 30 queued at most at once, the rest 503.
    const endpoint = stats.endpoints.dedicated;
    expect(endpoint).toMatchObject({
      requests: 100,
      served: seen("endpoint", 200),
      rejected503: seen("endpoint", 503),
      inFlight: 0,
      queued: 0,
    });
    expect(seen("endpoint", 200) + seen("endpoint", 503)).toBe(100);
    expect(endpoint?.maxInFlight).toBeLessThanOrEqual(40);
    expect(stats.overQuota).toBe(false);
    console.info("audit of 1,000 connections", {
      chat: { ok: seen("chat", 200), "503": seen("chat", 503) },
      freeChat: { ok: seen("free-chat", 200), "429": seen("free-chat", 429) },
      maxInFlight: token?.maxInFlight,
      endpoint: {
        ok: seen("endpoint", 200),
        "503": seen("endpoint", 503),
        maxInFlight: endpoint?.maxInFlight,
      },
    });
  });
});
