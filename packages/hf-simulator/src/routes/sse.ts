import type { Route } from "../catalogue.js";
import { markDropped } from "../http.js";
import type { InferenceContext, Usage } from "./context.js";

/** The events of one streamed answer, in order; each becomes a `data:` line. */
export interface StreamEvents {
  /** Sent before the first token (chat's role chunk), if any. */
  readonly opening?: unknown;
  /** One per token (or tool call), paced at the provider's tokens per second. */
  readonly deltas: readonly unknown[];
  /** The last event, with `usage`; `data: [DONE]` follows it. */
  readonly closing: unknown;
}

/**
 * Streams an answer as server-sent events the way the router does: the first event after
 * the latency's fixed part, one event per token at the provider's speed, `usage` in the
 * last one, then `[DONE]`. Charges the credits when the stream starts; a dropped
 * connection (fault injection) is cut after half of the events have reached the wire.
 */
export async function streamEvents(
  ctx: InferenceContext,
  route: Route,
  tokens: Usage,
  events: StreamEvents,
): Promise<void> {
  const { state, res } = ctx;
  const intervalMs = ctx.tokenIntervalMs(route.provider);
  const data = (event: unknown) => `data: ${JSON.stringify(event)}\n\n`;
  const firstChunkMs = ctx.firstChunkMs();
  const dropAt = ctx.shouldDrop() ? Math.floor(events.deltas.length / 2) : -1;
  await state.time.sleep(firstChunkMs);
  ctx.charge(route.provider, tokens);
  if (res.destroyed) return;
  res.writeHead(200, { ...ctx.headers, "content-type": "text/event-stream", "cache-control": "no-cache" });
  // A dropped stream is cut after the event at `dropAt` has reached the wire, so the
  // client sees a partial stream and then a reset, not an empty answer.
  const cut = () => {
    markDropped(res);
    res.socket?.destroy();
  };
  if (events.opening !== undefined)
    res.write(data(events.opening), dropAt === 0 && events.deltas.length === 0 ? cut : undefined);
  for (const [i, delta] of events.deltas.entries()) {
    if (intervalMs > 0) await state.time.sleep(intervalMs);
    if (res.destroyed) return;
    if (i === dropAt) {
      res.write(data(delta), cut);
      return;
    }
    res.write(data(delta));
  }
  if (dropAt >= 0) return;
  res.write(data(events.closing));
  res.end("data: [DONE]\n\n");
}
