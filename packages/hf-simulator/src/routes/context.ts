import type { IncomingMessage, ServerResponse } from "node:http";
import type { Admitted } from "../admission.js";
import type { Identity } from "../auth.js";
import { type CatalogueProvider, costUsd, type Route } from "../catalogue.js";
import { type ErrorStyle, errorBody, markDropped, sendJson } from "../http.js";
import { drawLatency } from "../latency.js";
import type { SimulatorState } from "../state.js";

/** The dedicated endpoint a request was sent to: its route and its replicas' latency. */
export interface EndpointTarget {
  readonly route: Route;
  readonly latency: { readonly baseMs: number; readonly perOutputTokenMs: number };
}

/** Usage of one answer, for latency, the `usage` field and credits. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * One admitted inference request: the shared steps every inference route takes between
 * admission and its answer (provider limits, cold start, injected faults, latency,
 * credits, dropped connections), so each route only builds its body.
 */
export class InferenceContext {
  readonly state: SimulatorState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly identity: Identity;
  readonly admitted: Admitted;
  readonly style: ErrorStyle;
  /** Response headers so far (RateLimit, x-request-id, x-inference-provider). */
  readonly headers: Record<string, string>;
  /** Set when the request goes to an Inference Endpoint rather than the router. */
  readonly endpoint: EndpointTarget | undefined;

  /** Builds the context of an admitted request. */
  constructor(
    state: SimulatorState,
    req: IncomingMessage,
    res: ServerResponse,
    identity: Identity,
    admitted: Admitted,
    style: ErrorStyle,
    headers: Record<string, string>,
    endpoint?: EndpointTarget,
  ) {
    this.state = state;
    this.req = req;
    this.res = res;
    this.identity = identity;
    this.admitted = admitted;
    this.style = style;
    this.headers = { ...headers, ...admitted.headers };
    this.endpoint = endpoint;
  }

  /** Answers an error in the route's style. */
  fail(status: number, message: string, code?: string, extra?: Record<string, unknown>): void {
    const body = errorBody(this.style, status, message, code);
    sendJson(this.res, status, extra ? { ...(body as object), ...extra } : body, this.headers);
  }

  /**
   * Runs the steps before a provider answers; `false` when an answer (the provider's own
   * 429, 503 loading, injected 5xx) was already sent. `tokens` (prompt + completion) is
   * what the call weighs against a provider's tokens-per-window limit.
   */
  async beforeAnswer(route: Route, tokens = 0): Promise<boolean> {
    const { state } = this;
    // A dedicated endpoint has no shared limits and its own cold starts (its replicas).
    if (this.endpoint) return this.#injectedError();
    const name = route.provider.provider;
    this.headers["x-inference-provider"] = name;
    const now = state.time.now();
    const verdict = state.providerLimits.admit(name, tokens, now, state.random);
    if (!verdict.ok) {
      state.stats.providerRejected(name);
      // The partner's 429 passes through: its own headers (if any), never the Hub's RateLimit.
      for (const header of ["RateLimit", "RateLimit-Policy"]) delete this.headers[header];
      sendJson(this.res, 429, errorBody(this.style, 429, verdict.message, verdict.code), {
        ...this.headers,
        ...verdict.headers,
      });
      return false;
    }
    Object.assign(this.headers, verdict.headers);
    const cold = state.options.coldStart;
    if (name === "hf-inference" && cold.mode !== "off") {
      const load = state.coldStarts.touch(route.model.id, now);
      if (load.kind === "loading") {
        if (cold.mode === "loading") {
          this.fail(503, `Model ${route.model.id} is currently loading`, "model_loading", {
            estimated_time: Math.round(load.remainingMs / 100) / 10,
          });
          return false;
        }
        await state.time.sleep(load.remainingMs);
      }
    }
    return this.#injectedError();
  }

  // `true` to go on; `false` when an injected 5xx was answered.
  #injectedError(): boolean {
    const { state } = this;
    if (state.random.chance(state.faults.errorRate)) {
      const status = state.faults.errorStatus;
      this.fail(status, status === 503 ? "Service Unavailable" : "Internal Server Error", "injected_error");
      return false;
    }
    return true;
  }

  /** Simulated ms before the first chunk of a stream. */
  firstChunkMs(): number {
    if (this.endpoint) return this.endpoint.latency.baseMs;
    return drawLatency(
      { ...this.state.options.latency, perOutputTokenMs: 0, outputTokens: 0 },
      this.state.random,
    );
  }

  /** Simulated ms between two streamed tokens (0: no pacing). */
  tokenIntervalMs(provider: CatalogueProvider): number {
    if (this.endpoint) return this.endpoint.latency.perOutputTokenMs;
    const tps = this.state.options.tokensPerSecond ?? provider.tokensPerSecond;
    return Number.isFinite(tps) ? 1000 / tps : 0;
  }

  /** Simulated ms before a non-streamed answer of `outputTokens` (with slow-response faults). */
  latencyMs(provider: CatalogueProvider, outputTokens: number): number {
    if (this.endpoint) {
      const { baseMs, perOutputTokenMs } = this.endpoint.latency;
      return baseMs + outputTokens * perOutputTokenMs;
    }
    const { latency, tokensPerSecond } = this.state.options;
    const tps = tokensPerSecond ?? provider.tokensPerSecond;
    const perOutputTokenMs = latency.perOutputTokenMs ?? (Number.isFinite(tps) ? 1000 / tps : 0);
    const ms = drawLatency({ ...latency, perOutputTokenMs, outputTokens }, this.state.random);
    return this.state.random.chance(this.state.faults.slowRate) ? ms + this.state.faults.slowMs : ms;
  }

  /** Charges the call's cost to the admitted account. */
  charge(provider: CatalogueProvider, usage: Usage): void {
    const account = this.admitted.account;
    if (!account) return;
    this.state.credits.charge(
      account.id,
      costUsd(provider, usage.inputTokens, usage.outputTokens),
      this.state.time.now(),
    );
  }

  /** Whether this response should be cut mid-way (drop fault). */
  shouldDrop(): boolean {
    return this.state.random.chance(this.state.faults.dropRate);
  }

  /** Sends a JSON answer after its latency; cuts the connection half-way when dropping. */
  async answerJson(route: Route, usage: Usage, body: unknown): Promise<void> {
    await this.state.time.sleep(this.latencyMs(route.provider, usage.outputTokens));
    this.charge(route.provider, usage);
    if (this.shouldDrop()) return this.drop(JSON.stringify(body));
    sendJson(this.res, 200, body, this.headers);
  }

  /** Writes headers and the first half of `text`, then destroys the socket. */
  drop(text: string): void {
    const { res } = this;
    if (res.destroyed) return;
    res.writeHead(200, {
      ...this.headers,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
    });
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
    markDropped(res);
  }
}
