/**
 * The seed research's retry loop ("Exponential Backoff"): on 429 or 503 wait 1 s, 2 s, 4 s,
 * 8 s, 16 s (scenario time) and try again, five attempts in all; anything else is final.
 * What an ungoverned swarm typically does, for comparison.
 */
export async function withSeedBackoff(
  send: () => Promise<Response>,
  options: {
    readonly timeScale: number;
    readonly signal: AbortSignal;
    /** Before each backoff: its wall ms and the status that caused it. */
    readonly onRetry?: (waitMs: number, status: number) => void;
    readonly maxAttempts?: number;
  },
): Promise<Response> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let i = 0; ; i++) {
    const response = await send();
    const retryable = response.status === 429 || response.status === 503;
    if (!retryable || i + 1 >= maxAttempts) return response;
    await response.arrayBuffer().catch(() => undefined);
    const waitMs = (2 ** i * 1000) / options.timeScale;
    options.onRetry?.(waitMs, response.status);
    await abortableSleep(waitMs, options.signal);
  }
}

/** Sleeps `ms`, rejecting with the signal's reason when it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
