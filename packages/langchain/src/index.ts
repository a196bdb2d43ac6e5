export { LANGCHAIN_ATTR, LANGCHAIN_SPAN } from "./attributes.js";
export type {
  ChatHuggingFaceCallOptions,
  ChatHuggingFaceInput,
  ChatHuggingFaceToolChoice,
} from "./chat-hugging-face.js";
export { ChatHuggingFace } from "./chat-hugging-face.js";
export type { GovernorCallbackHandlerOptions, RunScope } from "./governor-callback-handler.js";
export { GovernorCallbackHandler, isGovernorCallbackHandler } from "./governor-callback-handler.js";
export type { HuggingFaceGovernanceFields } from "./hugging-face-caller.js";
export type { HuggingFaceInferenceEmbeddingsInput } from "./hugging-face-embeddings.js";
export { HuggingFaceInferenceEmbeddings } from "./hugging-face-embeddings.js";
export type { HuggingFaceInferenceInput } from "./hugging-face-inference.js";
export { HuggingFaceInference } from "./hugging-face-inference.js";
export { toLangChainError } from "./langchain-errors.js";
export {
  fromHuggingFaceCompletion,
  fromHuggingFaceStreamChunk,
  parseToolCalls,
  toHuggingFaceMessages,
  toUsageMetadata,
} from "./message-conversion.js";
export { VERSION } from "./version.js";
export type { WithGovernorOptions } from "./with-governor.js";
export { withGovernor } from "./with-governor.js";
