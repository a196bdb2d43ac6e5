// The secret scan: a hostile upstream echoes parts of the token (without `hf_`, a suffix, a
// middle slice, base64, URL-encoded; in bodies, headers and reason phrases) to every client
// swarmgate offers, and no 8-character part of the token may appear in anything the process
// shows: error messages, stacks, causes (recursively), fields, `util.inspect` and
// `JSON.stringify` of errors, models and clients, spans (raw and exported), span events,
// metrics, governor events, LangChain callbacks, stdout/stderr, and the CLI's report.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { format, inspect } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { ChatOpenAI } from "@langchain/openai";
import { metrics, tracing } from "@opentelemetry/sdk-node";
import { createGovernor, type Governor, type GovernorEvents } from "@swarmgate/core";
import { GovernedInferenceClient, governedFetch } from "@swarmgate/huggingface";
import {
  ChatHuggingFace,
  HuggingFaceInference,
  HuggingFaceInferenceEmbeddings,
  withGovernor,
} from "@swarmgate/langchain";
import { RedactingSpanExporter } from "@swarmgate/otel";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ensureBuilt, runCli, tempDir } from "../cli-support.js";
import { captureOutput, TestMetricReader } from "../otel-support.js";
import { type EchoUpstream, MODES, partsOf, randomToken, startEchoUpstream } from "./secrets-support.js";

const TOKEN = randomToken();
const PARTS = partsOf(TOKEN);
const ROUTER = "https://router.huggingface.co/v1/chat/completions";
const messages = [{ role: "user" as const, content: "hi" }];

const raw = new tracing.InMemorySpanExporter();
const exported = new tracing.InMemorySpanExporter();
const tracerProvider = new tracing.BasicTracerProvider({
  spanProcessors: [
    new tracing.SimpleSpanProcessor(raw),
    new tracing.SimpleSpanProcessor(new RedactingSpanExporter(exported)),
  ],
});
const reader = new TestMetricReader();
const meterProvider = new metrics.MeterProvider({ readers: [reader] });

// Everything the process showed, as text, with where it came from.
const shown: { where: string; text: string }[] = [];
const show = (where: string, text: string | undefined) => {
  if (typeof text === "string" && text.length > 0) shown.push({ where, text });
};

// Every string reachable from `value` through own properties (non-enumerable ones too:
// `message`, `stack`, `cause`), then its `inspect`, `console.log` and JSON forms.
function showAll(where: string, value: unknown): void {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number) => {
    if (typeof v === "string") return show(`${where}${path}`, v);
    if ((typeof v !== "object" && typeof v !== "function") || v === null || depth > 7 || seen.has(v)) return;
    seen.add(v);
    if (typeof v === "function") return;
    for (const key of Object.getOwnPropertyNames(v)) {
      let inner: unknown;
      try {
        inner = (v as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      walk(inner, `${path}.${key}`, depth + 1);
    }
  };
  walk(value, "", 0);
  show(`${where} inspect`, inspect(value, { depth: 10, showHidden: true }));
  show(`${where} console.log`, format(value));
  show(`${where} %o`, format("%o", value));
  try {
    show(`${where} JSON`, JSON.stringify(value));
  } catch {
    // circular: inspect covered it
  }
  if (value instanceof Error) show(`${where} String`, String(value));
}

const failureOf = async (where: string, run: () => Promise<unknown>) => {
  try {
    const value = await run();
    if (value instanceof Response) show(`${where} status`, String(value.status));
  } catch (error) {
    showAll(where, error);
  }
};

const governors: Governor[] = [];
function governor(name: string): Governor {
  const g = createGovernor({
    name,
    tracerProvider,
    meterProvider,
    retry: { maxAttempts: 2, maxThrottledAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, budget: false },
    breaker: false,
    concurrency: false,
    // The hostile 429s state no limit: a learned rate would only slow the scan down.
    upstream: { learnRate: false },
  });
  for (const event of ["retry", "throttle", "callEnd", "credits", "quotaCorrected"] as const)
    g.on(event, ((e: unknown) => showAll(`event ${event}`, e)) as GovernorEvents[typeof event]);
  governors.push(g);
  return g;
}

class Recorder extends BaseCallbackHandler {
  name = "secret-scan-recorder";
  override handleChatModelStart(llm: unknown) {
    showAll("callback llm", llm);
  }
  override handleLLMStart(llm: unknown) {
    showAll("callback llm", llm);
  }
  override handleLLMError(error: unknown) {
    showAll("callback error", error);
  }
}

let upstream: EchoUpstream;
let written: string[] = [];
beforeAll(async () => {
  upstream = await startEchoUpstream();
  written = captureOutput();
});
afterAll(async () => {
  vi.restoreAllMocks();
  for (const g of governors.splice(0)) await g.close();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  await upstream.close();
});

it("keeps every part of the token out of everything the process shows", async () => {
  // The real @huggingface/inference client, governed.
  const g1 = governor("secrets-client");
  const client = new GovernedInferenceClient(TOKEN, { governor: g1, baseUrl: upstream.url });
  for (const mode of MODES) {
    const model = `echo/${mode}`;
    await failureOf(`client ${mode}`, async () => {
      if (mode !== "stream-error") return client.chatCompletion({ model, messages });
      for await (const _ of client.chatCompletionStream({ model, messages })) {
        // consumed until the upstream breaks the stream
      }
    });
    g1.resetCredits();
  }
  await failureOf("client hub", () =>
    client.featureExtraction({ model: "echo/noprefix-500", inputs: "x", provider: "hf-inference" }),
  );
  await failureOf("client refused", async () => {
    await client.chatCompletion({ model: "echo/payment-402", messages }).catch(() => {});
    return client.chatCompletion({ model: "echo/full-401", messages }); // refused: credits
  });
  showAll("client", client);

  // governedFetch, as the OpenAI SDK or raw code would use it.
  const g2 = governor("secrets-fetch");
  const governed = governedFetch(g2, { baseUrl: upstream.url });
  for (const mode of MODES)
    await failureOf(`fetch ${mode}`, () =>
      governed(ROUTER, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ model: `echo/${mode}`, messages }),
      }),
    );

  // LangChain: the chat model (invoke and stream), the LLM and the embeddings.
  const g3 = governor("secrets-langchain");
  const fields = { governor: g3, apiKey: TOKEN, baseUrl: upstream.url, callbacks: [new Recorder()] };
  for (const mode of MODES) {
    const chat = new ChatHuggingFace({ ...fields, model: `echo/${mode}` });
    await failureOf(`chat ${mode}`, async () => {
      if (mode !== "stream-error") return chat.invoke("hi");
      for await (const _ of await chat.stream("hi")) {
        // consumed until the upstream breaks the stream
      }
    });
    g3.resetCredits();
    showAll(`chat model ${mode}`, chat);
  }
  const llm = new HuggingFaceInference({ ...fields, model: "echo/noprefix-500" });
  await failureOf("llm", () => llm.invoke("hi"));
  const embeddings = new HuggingFaceInferenceEmbeddings({ ...fields, model: "echo/middle-400" });
  await failureOf("embeddings", () => embeddings.embedQuery("hi"));
  for (const [where, value] of [
    ["llm model", llm],
    ["embeddings model", embeddings],
  ] as const) {
    showAll(where, value);
    show(`${where} toJSON`, JSON.stringify(value));
  }

  // LangChain's ChatOpenAI on the router, governed: the OpenAI SDK's errors carry the parsed
  // body and the answer's headers. (The model itself prints its key: LangChain's business.)
  const g5 = governor("secrets-chat-openai");
  for (const mode of MODES) {
    const openai = new ChatOpenAI({
      model: `echo/${mode}`,
      apiKey: TOKEN,
      maxRetries: 0,
      callbacks: [new Recorder()],
      configuration: {
        baseURL: "https://router.huggingface.co/v1",
        fetch: governedFetch(g5, { baseUrl: upstream.url }),
      },
    });
    await failureOf(`chat-openai ${mode}`, async () => {
      const chat = withGovernor(openai, g5);
      if (mode !== "stream-error") return chat.invoke("hi");
      for await (const _ of await chat.stream("hi")) {
        // consumed until the upstream breaks the stream
      }
    });
    g5.resetCredits();
  }

  // The user's own function, failing with a cause that quotes the token without its prefix.
  const g4 = governor("secrets-run");
  await failureOf("run", () =>
    g4.run(() => {
      throw new Error("outer", { cause: new Error(`inner ${TOKEN.slice(3)}`) });
    }),
  );
  for (const g of governors) showAll(`stats ${g.name}`, g.stats());

  // The CLI's load test against the same upstream: its output and its HTML report.
  const inProcess = { ...upstream.stats };
  ensureBuilt();
  const dir = tempDir();
  const report = join(dir, "report.html");
  const cli = await runCli(
    [
      "loadtest",
      "--url",
      upstream.url,
      "--concurrency",
      "2",
      "--duration",
      "1s",
      "--json",
      "--report",
      report,
    ],
    { env: { HF_TOKEN: TOKEN }, cwd: dir },
  );
  show("cli stdout", cli.stdout);
  show("cli stderr", cli.stderr);
  expect(existsSync(report)).toBe(true);
  show("cli report", readFileSync(report, "utf8"));
  expect(JSON.parse(cli.stdout).requests.total).toBeGreaterThan(0);

  await tracerProvider.forceFlush();
  for (const [where, spans] of [
    ["span", raw.getFinishedSpans()],
    ["exported span", exported.getFinishedSpans()],
  ] as const)
    for (const s of spans)
      show(where, JSON.stringify({ n: s.name, a: s.attributes, e: s.events, s: s.status, l: s.links }));
  show("metrics", inspect((await reader.collect()).resourceMetrics, { depth: 12 }));
  show("stdout/stderr", written.join(""));

  const leaks = shown.filter(({ text }) => PARTS.some((part) => text.includes(part)));
  const chars = shown.reduce((n, s) => n + s.text.length, 0);
  const spans = exported.getFinishedSpans();
  console.log(
    `secret scan: ${shown.length} strings (${chars} characters) scanned, ${leaks.length} with a part of the token; ` +
      `${upstream.stats.requests} upstream answers (${inProcess.requests} in process), ${upstream.stats.echoes} echoing the token; ` +
      `${spans.length} spans (${spans.reduce((n, s) => n + s.events.length, 0)} events); CLI exit ${cli.code}`,
  );
  expect(leaks.map((l) => `${l.where}: ${l.text.slice(0, 300)}`)).toEqual([]);
  // The scan saw what it should have: the upstream echoed, errors and spans were there.
  expect(inProcess.echoes).toBeGreaterThanOrEqual(30);
  expect(upstream.stats.requests).toBeGreaterThan(inProcess.requests); // the CLI's too
  expect(spans.length).toBeGreaterThan(40);
  expect(shown.filter((s) => s.where.endsWith(".stack")).length).toBeGreaterThan(10);
  expect(shown.some(({ text }) => text.includes("[REDACTED]"))).toBe(true);
  expect(shown.some(({ where, text }) => where.includes("callback llm") && text.includes('"HF_TOKEN"'))).toBe(
    true,
  );
});
