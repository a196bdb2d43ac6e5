import type { AttemptContext, ResponseReport } from "@swarmgate/core";
import { SseUsageReader } from "./sse-usage.js";
import type { TokenUsage } from "./usage.js";

/** What a stream reports when it ends. */
export interface StreamEnd {
  /** Token usage of the last chunk that had one. */
  readonly usage: TokenUsage | undefined;
  /** What its chunks said about the answer (id, model, finish reasons). */
  readonly response: ResponseReport | undefined;
  /** Whether the stream was read to its end (false: cancelled, abandoned or failed). */
  readonly completed: boolean;
}

/** Whether a response is a server-sent-events stream. */
export function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.startsWith("text/event-stream") === true;
}

/**
 * For `governedFetch` outside the client: keeps the call's concurrency slot while the
 * stream body is read, and gives it back exactly once — at the end of the body, on
 * `cancel()` (an abandoned `for await`), or on a read error. The first bytes call
 * `onFirstChunk`; the end calls `onEnd` with the last chunk's usage.
 */
export function holdWhileStreaming(
  response: Response,
  context: AttemptContext,
  onFirstChunk: () => void,
  onEnd: (end: StreamEnd) => void,
): Response {
  const source = response.body;
  if (!source) return response;
  const release = context.holdSlot();
  const reader = source.getReader();
  const sse = new SseUsageReader();
  let first = true;
  let finished = false;
  const finish = (completed: boolean) => {
    if (finished) return;
    finished = true;
    try {
      onEnd({ usage: sse.usage.usage, response: sse.usage.response, completed });
    } finally {
      release();
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          finish(true);
          controller.close();
          return;
        }
        if (first) {
          first = false;
          onFirstChunk();
        }
        sse.push(value);
        controller.enqueue(value);
      } catch (error) {
        finish(false);
        controller.error(error);
      }
    },
    async cancel(reason) {
      finish(false);
      await reader.cancel(reason).catch(() => {});
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
