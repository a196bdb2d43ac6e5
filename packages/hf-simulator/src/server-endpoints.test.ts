import { InferenceClient, InferenceClientProviderApiError } from "@huggingface/inference";
import { afterEach, describe, expect, it } from "vitest";
import type { SimulatorOptions } from "./options.js";
import { type Simulator, startSimulator } from "./server.js";
import { call, chat, fakeClock } from "./test-support.js";

// Endpoint answers take no time unless a test says otherwise.
const INSTANT = { baseMs: 0, perOutputTokenMs: 0 };
const BASE: SimulatorOptions = { latency: false, coldStart: false, spike: false };
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("Inference Endpoints", () => {
  it("serves the unmodified InferenceClient by endpointUrl: chat, streams, text generation, embeddings", async () => {
    sim = await startSimulator({
      ...BASE,
      endpoints: [
        { name: "llama", latency: INSTANT },
        { name: "minilm", model: "sentence-transformers/all-MiniLM-L6-v2", latency: INSTANT },
      ],
    });
    const llama = new InferenceClient("hf_test_pro", { endpointUrl: `${sim.url}/endpoints/llama` });
    const out = await llama.chatCompletion({ messages: [{ role: "user", content: "Hi" }] });
    expect(out.choices[0]?.message.content).toBe(
      'Simulated reply from meta-llama/Llama-3.1-8B-Instruct. You said: "Hi"',
    );
    let streamed = "";
    for await (const chunk of llama.chatCompletionStream({ messages: [{ role: "user", content: "Hi" }] }))
      streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe(out.choices[0]?.message.content);
    const text = await llama.textGeneration({ inputs: "Once", parameters: { max_new_tokens: 3 } });
    expect(text.generated_text.length).toBeGreaterThan(0);
    const minilm = new InferenceClient("hf_test_free").endpoint(`${sim.url}/endpoints/minilm`);
    const vector = (await minilm.featureExtraction({ inputs: "hello" })) as number[];
    expect(vector).toHaveLength(384);
    const stats = sim.stats();
    expect(stats.endpoints.llama).toMatchObject({
      url: `${sim.url}/endpoints/llama`,
      status: "running",
      replicas: 1,
      requests: 3,
      served: 3,
      rejected503: 0,
      hourlyCostUsd: 1,
    });
    // No shared rate limit, no credits: the router's counters never saw these calls.
    expect(stats.tokens["hf_…_pro"]).toBeUndefined();
  });

  it("bills replica-hours of simulated time", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...BASE,
      clock,
      endpoints: [{ name: "a100", minReplicas: 2, hourlyCostUsd: 4, instanceType: "nvidia-a100" }],
    });
    clock.advance(1_800_000);
    expect(sim.stats().endpoints.a100).toMatchObject({
      replicas: 2,
      hourlyCostUsd: 8,
      replicaHours: 1,
      costUsd: 4,
    });
  });

  it("scales to zero when idle and answers 503 during the cold start, unless X-Scale-Up-Timeout holds the call", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...BASE,
      clock,
      timeScale: 1_000,
      endpoints: [{ name: "nap", minReplicas: 0, coldStartMs: 60_000, latency: INSTANT, hourlyCostUsd: 3.6 }],
    });
    expect(sim.stats().endpoints.nap).toMatchObject({
      status: "scaledToZero",
      replicas: 0,
      hourlyCostUsd: 0,
    });
    const client = new InferenceClient("hf_test_pro", { endpointUrl: `${sim.url}/endpoints/nap` });
    const error = await client
      .chatCompletion({ messages: [{ role: "user", content: "wake up" }] }, { retry_on_error: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceClientProviderApiError);
    expect((error as InferenceClientProviderApiError).httpResponse.status).toBe(503);
    expect(sim.stats().endpoints.nap).toMatchObject({
      status: "initializing",
      coldStarts: 1,
      rejected503: 1,
    });
    // 30 simulated seconds later the replica is still starting; a held call waits for it.
    clock.advance(30);
    const held = await call(sim.url, "/endpoints/nap/v1/chat/completions", {
      body: chat(),
      headers: { "X-Scale-Up-Timeout": "600" },
    });
    expect(held.status).toBe(200);
    expect(sim.stats().endpoints.nap).toMatchObject({ status: "running", served: 1 });
    // One idle hour (3,600 simulated s = 3.6 wall s at ×1000) after its last call, it is gone again.
    clock.advance(3_600);
    expect(sim.stats().endpoints.nap).toMatchObject({ status: "scaledToZero", replicas: 0, coldStarts: 1 });
    expect(sim.stats().endpoints.nap?.replicaHours).toBeCloseTo(1.0083, 3);
    expect(sim.stats().endpoints.nap?.costUsd).toBeCloseTo(3.63, 6);
  });

  it("queues past its replicas' capacity and answers 503 past the queue", async () => {
    sim = await startSimulator({
      ...BASE,
      endpoints: [
        { name: "small", concurrencyPerReplica: 2, queuePerReplica: 1, latency: { baseMs: 1_000 } },
      ],
    });
    const url = sim.url;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(url, "/endpoints/small/v1/chat/completions", { body: chat() })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 503, 503]);
    expect(answers.find((a) => a.status === 503)?.body.error).toMatch(/queue is full/);
    expect(sim.stats().endpoints.small).toMatchObject({
      requests: 5,
      served: 3,
      rejected503: 2,
      maxInFlight: 2,
    });
    expect(sim.stats().endpoints.small).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("autoscales up to maxReplicas when utilisation reaches 80%", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...BASE,
      clock,
      endpoints: [
        {
          name: "elastic",
          minReplicas: 1,
          maxReplicas: 3,
          concurrencyPerReplica: 1,
          coldStartMs: 120_000,
          latency: { baseMs: 500 },
        },
      ],
    });
    const url = sim.url;
    await Promise.all(
      Array.from({ length: 3 }, () => call(url, "/endpoints/elastic", { body: { inputs: "x" } })),
    );
    // One replica busy out of one: a second one starts; the next scale-up waits a minute.
    expect(sim.stats().endpoints.elastic).toMatchObject({ replicas: 2, readyReplicas: 1, hourlyCostUsd: 2 });
    clock.advance(120_000);
    expect(sim.stats().endpoints.elastic).toMatchObject({ replicas: 2, readyReplicas: 2 });
    // Idle: one replica goes 300 s after the last change (the scale-up), none below minReplicas.
    clock.advance(179_000);
    expect(sim.stats().endpoints.elastic?.replicas).toBe(2);
    clock.advance(1_000);
    expect(sim.stats().endpoints.elastic?.replicas).toBe(1);
    clock.advance(3_600_000);
    expect(sim.stats().endpoints.elastic).toMatchObject({ replicas: 1, status: "running" });
  });

  it("creates endpoints with POST /endpoints and answers bad calls with HF's statuses", async () => {
    sim = await startSimulator(BASE);
    const created = await call(sim.url, "/endpoints", {
      body: { name: "made", maxReplicas: 2, latency: INSTANT },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: `${sim.url}/endpoints/made`, replicas: 1, maxReplicas: 2 });
    expect((await call(sim.url, "/endpoints", { body: { name: "made" } })).status).toBe(409);
    expect((await call(sim.url, "/endpoints", { body: { name: "Bad Name" } })).status).toBe(400);
    expect((await call(sim.url, "/endpoints", { rawBody: "{" })).status).toBe(400);
    expect((await call(sim.url, "/endpoints", { token: null, body: { name: "x" } })).status).toBe(401);
    expect((await call(sim.url, "/endpoints")).body.items).toHaveLength(1);
    expect((await call(sim.url, "/endpoints/ghost/v1/chat/completions", { body: chat() })).status).toBe(404);
    expect(
      (await call(sim.url, "/endpoints/made/v1/chat/completions", { token: null, body: chat() })).status,
    ).toBe(401);
    const bad = await call(sim.url, "/endpoints/made/v1/chat/completions", { body: { messages: [] } });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe("string");
    expect((await call(sim.url, "/endpoints/made/v1/chat/completions", { body: chat() })).status).toBe(200);
  });
});

describe("Inference Endpoint slots", () => {
  it("come back when a caller gives up while queued or in flight", async () => {
    sim = await startSimulator({
      ...BASE,
      endpoints: [{ name: "one", concurrencyPerReplica: 1, queuePerReplica: 5, latency: { baseMs: 300 } }],
    });
    const url = `${sim.url}/endpoints/one/v1/chat/completions`;
    const post = (signal?: AbortSignal) =>
      fetch(url, {
        method: "POST",
        headers: { authorization: "Bearer hf_test_pro", "content-type": "application/json" },
        body: JSON.stringify(chat()),
        ...(signal ? { signal } : {}),
      });
    const controller = new AbortController();
    const served = post();
    const abandoned = post(controller.signal).catch(() => undefined);
    // Leave only once the second call waits in the queue behind the first.
    while (sim.stats().endpoints.one?.queued !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await abandoned;
    expect((await served).status).toBe(200);
    // Both the served call's slot and the abandoned one's are free again: the next call is served.
    expect((await post()).status).toBe(200);
    expect(sim.stats().endpoints.one).toMatchObject({ inFlight: 0, queued: 0 });
  });
});
