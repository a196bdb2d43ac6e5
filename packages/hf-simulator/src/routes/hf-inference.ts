import type { CatalogueModel, Route } from "../catalogue.js";
import { embed } from "../embeddings.js";
import { continueText } from "../text-continuation.js";
import { countTokens, splitTokens } from "../tokenizer.js";
import type { InferenceContext } from "./context.js";
import { streamEvents } from "./sse.js";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Default `max_new_tokens` of text generation, as TGI's. */
export const DEFAULT_MAX_NEW_TOKENS = 20;

/** The hf-inference route of a model, or an error already answered (404). */
function hfRoute(ctx: InferenceContext, modelId: string): Route | undefined {
  if (ctx.endpoint) return ctx.endpoint.route;
  const model = ctx.state.catalogue.get(modelId);
  const provider = model?.providers.find((p) => p.provider === "hf-inference");
  if (!model || !provider) {
    ctx.fail(404, `Model ${modelId} does not exist or is not served by hf-inference.`);
    return undefined;
  }
  return { model, provider };
}

const inputsError = (ctx: InferenceContext, message: string) =>
  ctx.fail(422, `Input validation error: ${message}`);

/**
 * `POST /hf-inference/models/{id}` and `/hf-inference/models/{id}/pipeline/{task}`:
 * text-generation answers `[{ generated_text }]`, feature-extraction a vector per input
 * (one vector for a string, an array of vectors for a batch), sentence-similarity the
 * cosine similarity of each sentence to the source sentence.
 */
export async function handleHfTask(
  ctx: InferenceContext,
  body: unknown,
  modelId: string,
  pipelineTask: string | undefined,
): Promise<void> {
  const route = hfRoute(ctx, modelId);
  if (!route) return;
  const task = pipelineTask ?? route.model.task;
  const embeds = route.model.task === "feature-extraction";
  const supported = embeds
    ? ["feature-extraction", "sentence-similarity"]
    : ["text-generation", "conversational"];
  if (!supported.includes(task)) return ctx.fail(400, `Model ${modelId} does not support task ${task}.`);
  if (!isObject(body)) return inputsError(ctx, "request body must be a JSON object with `inputs`");
  if (task === "feature-extraction") return featureExtraction(ctx, route, body.inputs);
  if (task === "sentence-similarity") return sentenceSimilarity(ctx, route, body.inputs);
  return textGeneration(ctx, route, body);
}

async function textGeneration(ctx: InferenceContext, route: Route, body: Record<string, unknown>) {
  const { inputs } = body;
  const parameters = isObject(body.parameters) ? body.parameters : {};
  if (typeof inputs !== "string" || inputs.length === 0)
    return inputsError(ctx, "`inputs` must be a non-empty string");
  const maxNew = parameters.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!Number.isInteger(maxNew) || (maxNew as number) < 1)
    return inputsError(ctx, "`max_new_tokens` must be strictly positive");
  const tooLong = checkContext(ctx, route.model, countTokens(inputs), maxNew as number);
  if (tooLong || !(await ctx.beforeAnswer(route, countTokens(inputs) + (maxNew as number)))) return;
  const continuation = continueText(inputs, maxNew as number);
  const generated = parameters.return_full_text === false ? continuation : inputs + continuation;
  const usage = { inputTokens: countTokens(inputs), outputTokens: maxNew as number };
  await ctx.answerJson(route, usage, [{ generated_text: generated }]);
}

function checkContext(ctx: InferenceContext, model: CatalogueModel, input: number, maxNew: number): boolean {
  const limit = model.contextLength ?? 8192;
  if (input + maxNew <= limit) return false;
  inputsError(
    ctx,
    `\`inputs\` tokens + \`max_new_tokens\` must be <= ${limit}. Given: ${input} \`inputs\` tokens and ${maxNew} \`max_new_tokens\``,
  );
  return true;
}

async function featureExtraction(ctx: InferenceContext, route: Route, inputs: unknown) {
  const batch = Array.isArray(inputs);
  const texts = batch ? inputs : [inputs];
  if (texts.length === 0 || !texts.every((t) => typeof t === "string"))
    return inputsError(ctx, "`inputs` must be a string or a non-empty array of strings");
  const inputTokens = (texts as string[]).reduce((n, t) => n + countTokens(t), 0);
  if (!(await ctx.beforeAnswer(route, inputTokens))) return;
  const dimensions = route.model.dimensions ?? 384;
  const vectors = (texts as string[]).map((text) => embed(route.model.id, text, dimensions));
  const usage = { inputTokens, outputTokens: 0 };
  await ctx.answerJson(route, usage, batch ? vectors : vectors[0]);
}

async function sentenceSimilarity(ctx: InferenceContext, route: Route, inputs: unknown) {
  if (!isObject(inputs) || typeof inputs.source_sentence !== "string" || !Array.isArray(inputs.sentences))
    return inputsError(ctx, "`inputs` must be { source_sentence: string, sentences: string[] }");
  if (!(await ctx.beforeAnswer(route))) return;
  const dimensions = route.model.dimensions ?? 384;
  const source = embed(route.model.id, inputs.source_sentence, dimensions);
  const scores = inputs.sentences.map((sentence) => {
    const vector = embed(route.model.id, String(sentence), dimensions);
    return vector.reduce((sum, x, i) => sum + x * (source[i] ?? 0), 0);
  });
  const texts = [inputs.source_sentence, ...inputs.sentences.map(String)];
  await ctx.answerJson(
    route,
    { inputTokens: texts.reduce((n, t) => n + countTokens(t), 0), outputTokens: 0 },
    scores,
  );
}

/** `POST /hf-inference/models/{id}/v1/completions`: OpenAI completions, what InferenceClient.textGeneration calls. */
export async function handleCompletions(
  ctx: InferenceContext,
  body: unknown,
  modelId: string,
): Promise<void> {
  const route = hfRoute(ctx, modelId);
  if (!route) return;
  if (route.model.task === "feature-extraction")
    return ctx.fail(400, `Model ${modelId} does not support task text-generation.`);
  if (!isObject(body) || typeof body.prompt !== "string" || body.prompt.length === 0)
    return inputsError(ctx, "`prompt` must be a non-empty string");
  const maxTokens = body.max_tokens ?? 16;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)
    return inputsError(ctx, "`max_tokens` must be a positive integer");
  const input = countTokens(body.prompt);
  if (checkContext(ctx, route.model, input, maxTokens as number)) return;
  if (!(await ctx.beforeAnswer(route, input + (maxTokens as number)))) return;
  const text = continueText(body.prompt, maxTokens as number);
  const tokens = { inputTokens: input, outputTokens: maxTokens as number };
  const usage = {
    prompt_tokens: input,
    completion_tokens: maxTokens,
    total_tokens: input + (maxTokens as number),
  };
  const common = {
    id: `cmpl-${ctx.state.random.hex(24)}`,
    object: "text_completion",
    created: Math.floor(ctx.state.options.clock.now() / 1000),
    model: route.model.id,
    system_fingerprint: "3.2.3-sha-a1f3ebe",
  };
  const choice = (piece: string, finishReason: string | null) => ({
    index: 0,
    text: piece,
    logprobs: null,
    finish_reason: finishReason,
  });
  // TGI's OpenAI-compatible completions stream: one text piece per event, usage at the end.
  if (body.stream === true)
    return streamEvents(ctx, route, tokens, {
      deltas: splitTokens(text).map((piece) => ({ ...common, choices: [choice(piece, null)] })),
      closing: { ...common, choices: [choice("", "length")], usage },
    });
  await ctx.answerJson(route, tokens, { ...common, choices: [choice(text, "length")], usage });
}
