// Credits: a real HTTP upstream answers 402 (Hugging Face's flat body) until credits are
// "bought", then 200. On the governor's fake clock: calls fail fast with the typed error and
// never reach the upstream, one probe goes every `creditsReprobeMs`, calls resume after the
// probe that finds the credits, and `resetCredits()` resumes at once.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createGovernor,
  type Governor,
  type GovernorOptions,
  isBudgetExceededError,
  ManualClock,
} from "@swarmgate/core";
import { GovernedInferenceClient } from "@swarmgate/huggingface";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const REPROBE_MS = 300_000; // the default
const upstream = { bought: false, requests: 0 };
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    upstream.requests++;
    res.setHeader("content-type", "application/json");
    if (!upstream.bought) {
      res.writeHead(402);
      res.end(
        JSON.stringify({
          error: "You have exceeded your monthly included credits for Inference Providers.",
        }),
      );
      return;
    }
    res.end(
      JSON.stringify({
        id: "c",
        created: 0,
        model: MODEL,
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      }),
    );
  });
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
  upstream.bought = false;
  upstream.requests = 0;
});

function setup(options: GovernorOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 3, 9));
  const governor = createGovernor({ name: "credits", clock, budget: { monthlyUsd: 100 }, ...options });
  governors.push(governor);
  const events: string[] = [];
  governor.on("credits", (e) => events.push(e.state));
  const client = new GovernedInferenceClient("hf_credits_test_token", { governor, baseUrl: url });
  const count = { calls: 0 };
  const chat = () => {
    count.calls++;
    return client.chatCompletion({ model: MODEL, messages: [{ role: "user", content: "hi" }] }).then(
      () => "ok" as const,
      (e: unknown) => {
        if (!isBudgetExceededError(e)) throw e;
        expect(e.details.status).toBe(402);
        return "refused" as const;
      },
    );
  };
  const batch = async (n: number) => {
    const out = await Promise.all(Array.from({ length: n }, chat));
    return { ok: out.filter((o) => o === "ok").length, refused: out.filter((o) => o === "refused").length };
  };
  return { clock, governor, events, chat, batch, count };
}

describe("after a 402 from a real upstream", () => {
  it("fails fast, probes once per interval, and resumes when credits are bought", async () => {
    const { clock, events, chat, batch, count } = setup();
    expect(await chat()).toBe("refused");
    expect(await batch(50)).toEqual({ ok: 0, refused: 50 });
    await clock.advance(REPROBE_MS - 1);
    expect(await batch(10)).toEqual({ ok: 0, refused: 10 });
    expect(upstream.requests).toBe(1); // 61 calls, one request: the 402

    // Still no credits: the probe gets a 402 and the interval starts again.
    await clock.advance(1);
    expect(await batch(20)).toEqual({ ok: 0, refused: 20 });
    expect(upstream.requests).toBe(2);

    // Credits bought right after that probe, the worst moment: calls wait for the next one.
    upstream.bought = true;
    const boughtAt = clock.now();
    await clock.advance(REPROBE_MS - 1);
    expect(await chat()).toBe("refused");
    expect(upstream.requests).toBe(2);
    // Of 20 calls arriving at once, one is the probe; then everyone goes.
    await clock.advance(1);
    expect(await batch(20)).toEqual({ ok: 1, refused: 19 });
    const resumedAfterMs = clock.now() - boughtAt;
    expect(await batch(20)).toEqual({ ok: 20, refused: 0 });
    expect(upstream.requests).toBe(23);
    expect(resumedAfterMs).toBe(REPROBE_MS);
    expect(events).toEqual(["exhausted", "probe", "exhausted", "probe", "resumed"]);
    console.log(
      `credits: ${count.calls} calls through a 402 episode, ${upstream.requests - 20} requests sent while exhausted ` +
        `(1 402 + 2 probes); bought just after a probe, resumed ${resumedAfterMs / 1000} s later (creditsReprobeMs)`,
    );
  });

  it("sends one request per interval for an hour of calls while the credits stay gone", async () => {
    const { clock, chat } = setup();
    let refused = 0;
    for (let i = 0; i < 1_000; i++) {
      if ((await chat()) === "refused") refused++;
      await clock.advance(3_600);
    }
    // The first 402, then a probe at every 5-minute mark of the hour.
    expect(refused).toBe(1_000);
    expect(upstream.requests).toBe(1 + Math.floor((1_000 * 3_600 - 3_600) / REPROBE_MS));
    console.log(`credits: 1,000 calls over 1 h of 402s, ${upstream.requests} requests reached the upstream`);
  });

  it("resumes at once on resetCredits(), without waiting for the probe", async () => {
    const { governor, events, chat, batch } = setup({ creditsReprobeMs: Number.POSITIVE_INFINITY });
    expect(await chat()).toBe("refused");
    upstream.bought = true;
    expect(await batch(5)).toEqual({ ok: 0, refused: 5 });
    governor.resetCredits();
    expect(await batch(5)).toEqual({ ok: 5, refused: 0 });
    expect(upstream.requests).toBe(6);
    expect(events).toEqual(["exhausted", "resumed"]);
  });
});
