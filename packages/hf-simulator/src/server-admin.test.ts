import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.js";
import { startSimulator } from "./server.js";
import { call, chat } from "./test-support.js";

describe("admin endpoints", () => {
  it("serves stats, resets, and never reports overQuota", async () => {
    const sim = await startSimulator({
      latency: false,
      coldStart: false,
      spike: false,
      quotas: { pro: { api: 2 } },
    });
    try {
      await call(sim.url, "/v1/chat/completions", { body: chat() });
      for (let i = 0; i < 4; i++) await call(sim.url, "/api/models/openai-community/gpt2");
      const stats = await call(sim.url, "/__sim/stats", { token: null });
      expect(stats.status).toBe(200);
      expect(stats.body.overQuota).toBe(false);
      expect(stats.body.tokens["hf_…_pro"].buckets).toMatchObject({
        inference: { requests: 1, admitted: 1 },
        api: { requests: 4, admitted: 2, rejected429: 2, overQuota: false },
      });
      expect(stats.body.tokens["hf_…_pro"].creditsSpentUsd).toBeGreaterThan(0);
      expect(stats.body).toEqual(sim.stats());
      expect((await call(sim.url, "/__sim/reset", { method: "POST", token: null })).body).toEqual({
        ok: true,
      });
      expect(sim.stats().tokens).toEqual({});
      expect((await call(sim.url, "/api/models/openai-community/gpt2")).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it("closes idempotently, keep-alive connections included", async () => {
    const sim = await startSimulator({ latency: false });
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    // fetch keeps its connection alive; close() must not wait for it to time out.
    await call(sim.url, "/api/models/openai-community/gpt2");
    await Promise.all([sim.close(), sim.close()]);
    await sim.close();
    await expect(fetch(`${sim.url}/__sim/stats`)).rejects.toThrow();
  });
});

describe("CLI arguments", () => {
  it("maps flags to options, over a config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ seed: 3, windowMode: "rolling", port: 1 }));
    expect(parseCliArgs(["--port", "8080", "--time-scale", "60", "--tier", "pro", "--config", file])).toEqual(
      {
        seed: 3,
        windowMode: "rolling",
        port: 8080,
        timeScale: 60,
        acceptAnyToken: "pro",
      },
    );
    expect(parseCliArgs(["--help"])).toBeUndefined();
    expect(parseCliArgs(["--quota", "120"])?.quotas).toEqual({
      free: { inference: 120 },
      pro: { inference: 120 },
      team: { inference: 120 },
      enterprise: { inference: 120 },
      "enterprise-plus": { inference: 120 },
      academia: { inference: 120 },
    });
    expect(() => parseCliArgs(["--tier", "gold"])).toThrow(
      /Expected `--tier` to be one of free, pro, team, enterprise/,
    );
    expect(() => parseCliArgs(["--quota", "1.5"])).toThrow(/Expected `--quota` to be an integer/);
    expect(() => parseCliArgs(["--seed", "abc"])).toThrow('Expected `--seed` to be a number, got "abc"');
    expect(() => parseCliArgs(["--bogus"])).toThrow();
  });
});
