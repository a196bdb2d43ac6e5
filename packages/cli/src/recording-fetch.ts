import type { Recorder } from "./recorder.js";

/**
 * The transport under everything: counts each HTTP request and its status into the
 * recorder, and hands its `RateLimit` headers to the quota tracker. It never reads or logs
 * request headers (the token is in them).
 */
export function recordingFetch(recorder: Recorder, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    recorder.requestStarted();
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      if (init?.signal?.aborted) recorder.requestCancelled();
      else recorder.requestEnded(0);
      throw error;
    }
    recorder.requestEnded(response.status, response.headers);
    return response;
  };
}
