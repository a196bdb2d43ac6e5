import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import type { Governor } from "@swarmgate/core";
import {
  expectKnownFields,
  HuggingFaceCaller,
  type HuggingFaceGovernanceFields,
} from "./hugging-face-caller.js";
import { currentRunScope } from "./run-scope.js";

/** Options of {@link HuggingFaceInferenceEmbeddings}: `@langchain/community`'s, plus batching and the governance. */
export interface HuggingFaceInferenceEmbeddingsInput extends EmbeddingsParams, HuggingFaceGovernanceFields {
  /** A feature-extraction model on the Hub. @default "sentence-transformers/all-MiniLM-L6-v2" */
  readonly model?: string;
  /**
   * Texts per request: `embedDocuments` of n texts sends ⌈n / batchSize⌉ requests, all at
   * once — the governor's quota and concurrency decide how many are in flight. @default 32
   */
  readonly batchSize?: number;
  /** Ignored: always 0 (the governor owns retries). */
  readonly maxRetries?: number;
}

type Vector = number[];

function isVector(value: unknown): value is Vector {
  return Array.isArray(value) && value.every((v) => typeof v === "number");
}

/**
 * `@langchain/community`'s `HuggingFaceInferenceEmbeddings`, with the same class name and
 * options (`model`, `apiKey`, `endpointUrl`, `provider`), governed and batched: the texts of
 * `embedDocuments` go in batches of `batchSize` per feature-extraction request, each batch
 * one logical call of the `governor`. Newlines are replaced by spaces, as the community
 * class does.
 *
 * @example
 * const embeddings = new HuggingFaceInferenceEmbeddings({ governor, batchSize: 32 });
 * const vectors = await embeddings.embedDocuments(texts); // ⌈texts.length / 32⌉ requests
 */
export class HuggingFaceInferenceEmbeddings extends Embeddings {
  readonly model: string;
  readonly batchSize: number;
  readonly #caller: HuggingFaceCaller;
  readonly #provider: string | undefined;

  constructor(fields: HuggingFaceInferenceEmbeddingsInput) {
    if (typeof fields !== "object" || fields === null)
      throw new TypeError(
        `Expected \`fields\` to be an object with a \`governor\`, got \`${String(fields)}\``,
      );
    const batchSize = fields.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new TypeError(`Expected \`batchSize\` to be a positive integer, got \`${String(batchSize)}\``);
    expectKnownFields("HuggingFaceInferenceEmbeddings", fields);
    super({ ...fields, maxRetries: 0 });
    this.model = fields.model ?? "sentence-transformers/all-MiniLM-L6-v2";
    this.batchSize = batchSize;
    this.#provider = fields.provider;
    this.#caller = new HuggingFaceCaller(fields);
  }

  /** The governor every request of these embeddings goes through. */
  get governor(): Governor {
    return this.#caller.governor;
  }

  /** The Hugging Face token (registered as a secret; never printed nor serialized). */
  get apiKey(): string | undefined {
    return this.#caller.apiKey;
  }

  async #embed(inputs: string[]): Promise<Vector[]> {
    const args = { model: this.model, ...(this.#provider ? { provider: this.#provider } : {}), inputs };
    const scope = await currentRunScope();
    const info = this.#caller.info("embeddings", this.model, args, scope);
    const output: unknown = await this.#caller.call(info, scope, (client, signal) =>
      client.featureExtraction(args as Parameters<typeof client.featureExtraction>[0], { signal }),
    );
    if (!Array.isArray(output) || output.length !== inputs.length || !output.every(isVector))
      throw new TypeError(
        `Expected one vector per input (${inputs.length}) from ${this.model}: is it a sentence-embedding model?`,
      );
    return output;
  }

  /** Embeds documents in batches of `batchSize`, one governed request each, in order. */
  async embedDocuments(documents: string[]): Promise<Vector[]> {
    const texts = documents.map((text) => text.replace(/\n/g, " "));
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) batches.push(texts.slice(i, i + this.batchSize));
    const vectors = await Promise.all(batches.map((batch) => this.#embed(batch)));
    return vectors.flat();
  }

  /** Embeds one text (one governed request). */
  async embedQuery(document: string): Promise<Vector> {
    const [vector] = await this.#embed([document.replace(/\n/g, " ")]);
    return vector ?? [];
  }
}
