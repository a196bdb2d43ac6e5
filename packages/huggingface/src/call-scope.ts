import { AsyncLocalStorage } from "node:async_hooks";
import type { AttemptContext, CallServer, Governor } from "@swarmgate/core";

/** What the fetch seam needs to know about the logical call it runs inside. */
export interface CallScope {
  readonly governor: Governor;
  readonly context: AttemptContext;
  /** The Hub model id and provider the call asked for: prices are keyed by them. */
  readonly model: string | undefined;
  readonly provider: string | undefined;
  /** Set by the seam: the last inference response of this attempt (for the error's headers). */
  lastResponse: { readonly status: number; readonly headers: Headers } | undefined;
  /** Set by the seam when a Hub look-up of this attempt failed after its own retries. */
  hubLookupFailed: boolean;
  /** Set by the seam when it reported usage from a JSON body (a stream reports its own). */
  usageReported: boolean;
  /** Set by the seam: the server of this attempt's last inference request (time to first chunk). */
  server: CallServer | undefined;
}

/**
 * @internal The logical call the current async execution belongs to. The governed client
 * runs each task method inside one; `governedFetch` joins it instead of starting a call of
 * its own, so the client's requests are attempts of the caller's call.
 */
export const callScope = new AsyncLocalStorage<CallScope>();

/** @internal Runs `fn` as part of a governed call (see {@link callScope}). */
export function runInScope<T>(
  governor: Governor,
  context: AttemptContext,
  call: { readonly model: string | undefined; readonly provider: string | undefined },
  fn: (scope: CallScope) => T,
): T {
  const scope: CallScope = {
    governor,
    context,
    model: call.model,
    provider: call.provider,
    lastResponse: undefined,
    hubLookupFailed: false,
    usageReported: false,
    server: undefined,
  };
  return callScope.run(scope, () => fn(scope));
}
