import type { Attempt, CallInfo, Governor } from "@swarmgate/core";
import { runInScope } from "./call-scope.js";

/**
 * `governor.run(fn, info)`, with one difference: requests that `fn` makes through a
 * {@link governedFetch} of the same governor become attempts of this call instead of
 * calls of their own (no second concurrency slot, no retries inside retries). Use it to
 * govern a whole SDK call — an OpenAI SDK or LangChain model whose `fetch` is
 * `governedFetch(governor)` — as one logical call with the SDK's own retries off.
 *
 * @example
 * const reply = await runGoverned(governor, () => openai.chat.completions.create({ model, messages }), {
 *   operation: "chat",
 *   model,
 * });
 */
export function runGoverned<T>(governor: Governor, fn: Attempt<T>, info?: CallInfo): Promise<T> {
  return governor.run(
    (ctx) => runInScope(governor, ctx, { model: info?.model, provider: info?.provider }, () => fn(ctx)),
    info,
  );
}
