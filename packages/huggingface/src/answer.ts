import { type AttemptContext, type ResponseReport, serverOfUrl } from "@swarmgate/core";

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined;

// `choices[i].finish_reason` (OpenAI-style chat and completions), else TGI's `details.finish_reason`.
function finishReasons(o: Record<string, unknown>, into: (string | undefined)[]): void {
  if (Array.isArray(o.choices))
    for (const [i, choice] of o.choices.entries()) {
      const c = record(choice);
      const reason = text(c?.finish_reason);
      if (reason) into[typeof c?.index === "number" && c.index >= 0 && c.index < 128 ? c.index : i] = reason;
    }
  else {
    const reason = text(record(o.details)?.finish_reason);
    if (reason) into[0] = reason;
  }
}

const report = (
  id: string | undefined,
  model: string | undefined,
  reasons: readonly (string | undefined)[],
): ResponseReport | undefined => {
  const finish = reasons.filter((r): r is string => r !== undefined);
  if (!id && !model && finish.length === 0) return undefined;
  return {
    ...(id ? { id } : {}),
    ...(model ? { model } : {}),
    ...(finish.length > 0 ? { finishReasons: finish } : {}),
  };
};

/**
 * What a JSON answer says about itself (`gen_ai.response.*`): its `id`, `model` and finish
 * reasons (one per choice; TGI's `details.finish_reason`). `undefined` when it says none;
 * never throws.
 *
 * @example
 * answerOf({ id: "chatcmpl-1", model: "m", choices: [{ index: 0, finish_reason: "stop" }] });
 * // { id: "chatcmpl-1", model: "m", finishReasons: ["stop"] }
 */
export function answerOf(body: unknown): ResponseReport | undefined {
  const o = record(Array.isArray(body) ? body[0] : body);
  if (!o) return undefined;
  const reasons: (string | undefined)[] = [];
  finishReasons(o, reasons);
  return report(text(o.id), text(o.model), reasons);
}

/** The same for a stream: the first id and the last model any chunk named, each choice's finish reason. */
export class StreamAnswer {
  #id: string | undefined;
  #model: string | undefined;
  readonly #reasons: (string | undefined)[] = [];

  /** Records one parsed chunk. */
  add(chunk: unknown): void {
    const o = record(chunk);
    if (!o) return;
    this.#id ??= text(o.id);
    this.#model = text(o.model) ?? this.#model;
    finishReasons(o, this.#reasons);
  }

  /** What the chunks said so far, for `ctx.reportResponse`. */
  get response(): ResponseReport | undefined {
    return report(this.#id, this.#model, this.#reasons);
  }
}

/** `gen_ai.request.max_tokens`: the output limit a request's arguments ask for, if any. */
export function maxTokensOf(args: unknown): number | undefined {
  const a = record(args);
  const parameters = record(a?.parameters);
  const limit =
    a?.max_tokens ?? a?.max_completion_tokens ?? parameters?.max_new_tokens ?? parameters?.max_tokens;
  return typeof limit === "number" && Number.isFinite(limit) && limit >= 0 ? Math.round(limit) : undefined;
}

/** `server.address` and `server.port` of a request URL (443 or 80 when it names none), for `ctx.reportResponse`. */
export function serverOf(url: string): ResponseReport | undefined {
  const server = serverOfUrl(url);
  return server
    ? { serverAddress: server.address, ...(server.port === undefined ? {} : { serverPort: server.port }) }
    : undefined;
}

/** @internal Reports what an answer said of itself to the call: telemetry never breaks the call. */
export function reportAnswer(ctx: AttemptContext, report: ResponseReport | undefined): void {
  if (!report) return;
  try {
    ctx.reportResponse(report);
  } catch {
    // a context without reportResponse (an older core) or a value it refused
  }
}
