import { isBudgetExceededError } from "@swarmgate/core";
import { governedFetch, PriceBook, rewriteBaseUrl, usageOf } from "@swarmgate/huggingface";
import { watchedGovernor } from "./governor-setup.js";
import type { Recorder } from "./recorder.js";
import { retryWaitSource } from "./recording.js";
import { recordingFetch } from "./recording-fetch.js";
import { startOffsetMs } from "./scenarios.js";
import { abortableSleep, withSeedBackoff } from "./seed-backoff.js";
import type { Target } from "./target.js";

/** What a load test runs. Durations are scenario ms. */
export interface LoadPlan {
  readonly concurrency: number;
  readonly durationMs: number;
  readonly rampMs: number;
  readonly governed: boolean;
  /** The Hub id (with a routing policy such as `:cheapest`, when no provider is pinned). */
  readonly model: string;
  /** The provider every call is pinned to (`model:provider`); `undefined`: the router picks. */
  readonly provider?: string | undefined;
  readonly maxTokens: number;
  /** The governor's monthly credit budget (USD, `--budget`); `undefined`: none. */
  readonly budgetUsd?: number | undefined;
}

/** The end of a load run. */
export interface LoadResult {
  readonly recorder: Recorder;
  /** Calls cut short by the end of the run or Ctrl-C (neither completed nor failed). */
  readonly cancelled: number;
  /** The governor's concurrency limit at the end (`null` ungoverned). */
  readonly finalConcurrencyLimit: number | null;
}

const ROUTER = "https://router.huggingface.co/v1/chat/completions";

/**
 * Runs `concurrency` virtual users, each sending chat completions back to back, starting
 * linearly over `rampMs`, until `durationMs` or `signal`. Governed: through
 * `governedFetch` and a governor from the tier preset. Ungoverned: plain `fetch` with the
 * seed's exponential backoff. Calls still running at the end are cancelled, not failed.
 */
export async function runLoad(
  target: Target,
  plan: LoadPlan,
  recorder: Recorder,
  signal: AbortSignal,
): Promise<LoadResult> {
  const stop = new AbortController();
  const wallDuration = plan.durationMs / target.timeScale;
  const deadline = setTimeout(() => stop.abort(new Error("duration reached")), wallDuration);
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) onAbort();

  const transport: typeof fetch = (input, init) => fetch(input, init);
  const watched = plan.governed
    ? watchedGovernor("swarmgate-loadtest", target, recorder, {
        recordCalls: false,
        budgetUsd: plan.budgetUsd,
      })
    : undefined;
  const send = watched
    ? governedFetch(watched.governor, { baseUrl: target.baseUrl, fetch: recordingFetch(recorder, transport) })
    : recordingFetch(recorder, transport);
  const url = watched ? ROUTER : rewriteBaseUrl(ROUTER, target.baseUrl);
  const prices = new PriceBook();
  let cancelled = 0;
  let n = 0;
  const model = plan.provider === undefined ? plan.model : `${plan.model}:${plan.provider}`;

  const call = async (user: number) => {
    const body = JSON.stringify({
      model,
      messages: [{ role: "user", content: `Agent ${user}, call ${++n}: plan the next step.` }],
      max_tokens: plan.maxTokens,
    });
    const request = () =>
      send(url, {
        method: "POST",
        headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
        body,
        signal: stop.signal,
      });
    const response = watched
      ? await request()
      : await withSeedBackoff(request, {
          timeScale: target.timeScale,
          signal: stop.signal,
          onRetry: (waitMs, status) => {
            const reason = status === 429 ? "rate_limited" : "overloaded";
            recorder.retried(reason);
            recorder.waited(waitMs, retryWaitSource(reason), "starts");
          },
        });
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) return false;
    if (watched) return true; // the governor accounts its own credits
    const cost = prices.cost(plan.model, plan.provider, usageOf(json) ?? {});
    if (cost !== undefined) recorder.spent(cost);
    return true;
  };

  const user = async (index: number) => {
    try {
      await abortableSleep(
        startOffsetMs(index, plan.concurrency, plan.rampMs) / target.timeScale,
        stop.signal,
      );
    } catch {
      return;
    }
    while (!stop.signal.aborted) {
      const started = performance.now();
      try {
        recorder.callEnded(await call(index), performance.now() - started);
      } catch (error) {
        if (stop.signal.aborted) cancelled++;
        else recorder.callEnded(false, performance.now() - started);
        // Past the budget every call fails at once: the user stops rather than spin.
        if (isBudgetExceededError(error)) return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: plan.concurrency }, (_, i) => user(i)));
  } finally {
    clearTimeout(deadline);
    signal.removeEventListener("abort", onAbort);
  }
  const finalConcurrencyLimit = watched?.governor.stats().concurrency?.limit ?? null;
  await watched?.close();
  return { recorder, cancelled, finalConcurrencyLimit };
}
