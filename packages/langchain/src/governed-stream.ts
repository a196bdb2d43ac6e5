import type { CallInfo, Governor, ResponseReport, UsageReport } from "@swarmgate/core";
import { runGoverned } from "@swarmgate/huggingface";

/** How {@link governedStream} opens, reads and accounts a stream. */
export interface GovernedStreamOptions<T> {
  /** Opens the stream with a signal that aborts on attempt timeout, cancellation or abandonment. */
  readonly open: (signal: AbortSignal) => AsyncIterable<T>;
  /** Errors before and after the first item go through it (e.g. to give them a `status`). */
  readonly convertError?: (error: unknown) => unknown;
  /** Sees every item (to accumulate usage). */
  readonly onItem?: (item: T) => void;
  /**
   * Called once when the stream ends however it ends, before the slot is released, with
   * the call's `reportUsage` and `reportResponse`.
   */
  readonly onEnd?: (
    report: (usage: UsageReport) => void,
    respond: (response: ResponseReport) => void,
  ) => void;
  /** Runs the governed call in a context (the OTel context of the LangChain run). */
  readonly within?: <R>(fn: () => R) => R;
}

/**
 * @internal A stream as one logical call: governed (retried, throttled) until its first item
 * arrives, then it keeps its concurrency slot and span until the consumer is done — end,
 * `break`, `return()`, `throw()` or an error — and stops the transfer when abandoned.
 * Requests that `open` makes through a `governedFetch` of the same governor join the call.
 */
export async function* governedStream<T>(
  governor: Governor,
  info: CallInfo,
  options: GovernedStreamOptions<T>,
): AsyncGenerator<T> {
  const convert = options.convertError ?? ((error: unknown) => error);
  const abandon = new AbortController();
  const within = options.within ?? (<R>(fn: () => R) => fn());
  const opened = await within(() =>
    runGoverned(
      governor,
      async (ctx) => {
        const signals = [ctx.signal, abandon.signal, ...(info.signal ? [info.signal] : [])];
        const iterator = options.open(AbortSignal.any(signals))[Symbol.asyncIterator]();
        let first: IteratorResult<T>;
        try {
          first = await iterator.next();
        } catch (error) {
          throw convert(error);
        }
        // The slot stays taken until the consumer is done with the stream.
        const respond = ctx.reportResponse;
        return { iterator, first, release: ctx.holdSlot(), report: ctx.reportUsage, respond };
      },
      info,
    ),
  );
  let completed = false;
  try {
    let next = opened.first;
    while (!next.done) {
      options.onItem?.(next.value);
      yield next.value;
      try {
        next = await opened.iterator.next();
      } catch (error) {
        throw convert(error);
      }
    }
    completed = true;
  } finally {
    if (!completed) {
      // break, return(), throw() or an error: stop the transfer so the server frees its slot too.
      abandon.abort(new Error("The stream was abandoned by its consumer"));
      await opened.iterator.return?.(undefined).catch(() => {});
    }
    try {
      options.onEnd?.(opened.report, opened.respond);
    } finally {
      opened.release();
    }
  }
}
