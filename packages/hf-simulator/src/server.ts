import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { admit } from "./admission.js";
import { ANONYMOUS, authenticate, type Identity } from "./auth.js";
import type { FaultPatch } from "./faults.js";
import { errorBody, onDrop, parseJson, readBody, sendJson } from "./http.js";
import type { SimulatorOptions } from "./options.js";
import { resolveOptions } from "./resolve-options.js";
import { handleChatCompletions } from "./routes/chat-completions.js";
import { bucketOf, classify, styleOf, type Target } from "./routes/classify.js";
import { InferenceContext } from "./routes/context.js";
import { handleEndpointCall, handleEndpointsApi } from "./routes/endpoints.js";
import { handleCompletions, handleHfTask } from "./routes/hf-inference.js";
import { handleModelInfo, handlePage, handleResolve, handleWhoami } from "./routes/hub-api.js";
import { SimulatorState } from "./state.js";
import type { SimulatorStats } from "./stats.js";
import type { Bucket } from "./tiers.js";

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:43117` (serves both huggingface.co and router paths). */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Counters per token and bucket, credits, and the `overQuota` audit. */
  stats(): SimulatorStats;
  /** Forgets windows, counters, credits, loaded models and runtime faults. */
  reset(): void;
  /** Switches faults at runtime (e.g. `{ outage: true }`). Throws `TypeError` on bad values. */
  inject(patch: FaultPatch): void;
  /** Stops listening and closes every connection, keep-alive ones included. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a simulator on loopback (port 0 by default). Options are validated before
 * anything listens: a bad value rejects with a `TypeError`.
 *
 * @example
 * const sim = await startSimulator({ timeScale: 60, seed: 7, latency: false });
 * const client = new InferenceClient("hf_test_pro", { fetch: rewriteHuggingFaceFetch(sim.url) });
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const state = new SimulatorState(resolved);
  let requestCounter = 0;
  const server: Server = createServer((req, res) => {
    const requestId = `sim-${(++requestCounter).toString(16).padStart(8, "0")}`;
    handle(state, req, res, requestId).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody("hf", 500, `Simulator error: ${String(error)}`));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host}:${port}`;
  state.endpoints.baseUrl = url;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    stats: () => state.snapshot(),
    reset: () => state.reset(),
    inject: (patch) => state.faults.set(patch),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(state: SimulatorState, req: IncomingMessage, res: ServerResponse, requestId: string) {
  const url = new URL(req.url ?? "/", "http://simulator.invalid");
  const target = classify(req.method ?? "GET", url.pathname);
  const style = styleOf(target);
  const headers: Record<string, string> = { "x-request-id": requestId };
  const text = req.method === "POST" ? await readBody(req) : "";
  if (text === undefined) return sendJson(res, 413, errorBody(style, 413, "Payload Too Large"), headers);
  if (target.kind === "admin") return handleAdmin(state, res, target.action, text);
  if (target.kind === "not-found") return sendJson(res, 404, errorBody(style, 404, "Not Found"), headers);
  if (target.kind === "method-not-allowed")
    return sendJson(res, 405, errorBody(style, 405, "Method Not Allowed"), headers);
  const bucket = bucketOf(target) as Bucket | undefined;
  const auth = authenticate(req.headers.authorization, state.options);
  let identity: Identity;
  if (auth.ok) identity = auth.identity;
  else if (auth.reason === "missing" && bucket !== undefined && bucket !== "inference") identity = ANONYMOUS;
  else {
    const message =
      auth.reason === "missing"
        ? "You must provide an access token: Authorization: Bearer hf_..."
        : "Invalid credentials in Authorization header";
    return sendJson(res, 401, errorBody(style, 401, message, "invalid_api_key"), headers);
  }
  if (target.kind === "endpoints") return handleEndpointsApi(state, res, target.action, text, headers);
  if (target.kind === "endpoint") return handleEndpointCall(state, req, res, identity, target, text, headers);
  if (bucket === undefined) return sendJson(res, 404, errorBody(style, 404, "Not Found"), headers);
  const billToHeader = req.headers["x-hf-bill-to"];
  const billTo = Array.isArray(billToHeader) ? billToHeader[0] : billToHeader;
  const decision = admit(state, identity, bucket, billTo);
  trackOutcome(state, identity, bucket, res, decision.ok ? decision.release : () => {});
  if (!decision.ok) {
    const body = decision.body ?? errorBody(style, decision.status, decision.message, decision.code);
    return sendJson(
      res,
      decision.status,
      decision.extra ? { ...(body as object), ...decision.extra } : body,
      {
        ...headers,
        ...decision.headers,
      },
    );
  }
  if (bucket !== "inference")
    return handleHub(state, req, res, target, identity, url, { ...headers, ...decision.headers });
  const parsed = parseJson(text);
  const ctx = new InferenceContext(state, req, res, identity, decision, style, headers);
  if (!parsed.ok) return ctx.fail(400, "Failed to parse the request body as JSON.", "invalid_json");
  if (target.kind === "chat") return handleChatCompletions(ctx, parsed.value, target);
  if (target.kind === "completions") return handleCompletions(ctx, parsed.value, target.modelId);
  if (target.kind === "hf-task") return handleHfTask(ctx, parsed.value, target.modelId, target.pipelineTask);
}

function handleHub(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  identity: Identity,
  url: URL,
  headers: Record<string, string>,
) {
  if (target.kind === "model-info") {
    const expand = [...url.searchParams.getAll("expand[]"), ...url.searchParams.getAll("expand")];
    return handleModelInfo(state, res, target.modelId, expand, headers);
  }
  if (target.kind === "whoami") return handleWhoami(state, res, identity, headers);
  if (target.kind === "resolve")
    return handleResolve(state, res, target.modelId, target.file, req.method ?? "GET", headers);
  if (target.kind === "page") return handlePage(state, res, target.modelId, headers);
}

/**
 * Counts the answer's status when its head is written and frees the concurrency slot
 * when its body ends, both synchronously: a client that has read the answer always
 * sees the stats and the slot already updated.
 */
function trackOutcome(
  state: SimulatorState,
  identity: Identity,
  bucket: Bucket,
  res: ServerResponse,
  release: () => void,
) {
  const count = (counter: "rejected429" | "rejected503" | "rejected402" | "errors5xx" | "dropped") =>
    state.stats.count(identity.key, identity.tier, bucket, counter);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status === 429) count("rejected429");
    else if (status === 503) count("rejected503");
    else if (status === 402) count("rejected402");
    else if (status >= 500) count("errors5xx");
    return writeHead(status, ...rest);
  }) as ServerResponse["writeHead"];
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    release();
    return end(...args);
  }) as ServerResponse["end"];
  onDrop(res, () => {
    count("dropped");
    release();
  });
  res.once("close", release);
}

function handleAdmin(
  state: SimulatorState,
  res: ServerResponse,
  action: "stats" | "reset" | "faults",
  text: string,
) {
  if (action === "stats") return sendJson(res, 200, state.snapshot());
  if (action === "reset") {
    state.reset();
    return sendJson(res, 200, { ok: true });
  }
  const parsed = parseJson(text || "{}");
  if (!parsed.ok) return sendJson(res, 400, { error: "Failed to parse the request body as JSON." });
  try {
    state.faults.set(parsed.value as FaultPatch);
  } catch (error) {
    return sendJson(res, 400, { error: (error as Error).message });
  }
  sendJson(res, 200, { ok: true });
}
