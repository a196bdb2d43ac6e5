import type { InferenceClient } from "@huggingface/inference";

// The chat completion types of @huggingface/inference come from @huggingface/tasks, which is
// not a dependency of this package: they are read off the client's methods instead.

/** @internal The arguments of `InferenceClient.chatCompletion`. */
export type ChatCompletionArgs = Parameters<InferenceClient["chatCompletion"]>[0];
/** @internal A chat completion. */
export type ChatCompletionOutput = Awaited<ReturnType<InferenceClient["chatCompletion"]>>;
/** @internal One chunk of a chat completion stream. */
export type ChatCompletionStreamOutput =
  ReturnType<InferenceClient["chatCompletionStream"]> extends AsyncGenerator<infer T> ? T : never;
/** @internal One input message of a chat completion. */
export type ChatCompletionMessage = ChatCompletionArgs["messages"][number];
