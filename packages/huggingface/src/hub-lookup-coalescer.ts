interface Buffered {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: ArrayBuffer;
}

function replay(b: Buffered): Response {
  // A null-body status cannot be given a body, even an empty one.
  const empty = b.status === 204 || b.status === 205 || b.status === 304;
  return new Response(empty ? null : b.body.slice(0), {
    status: b.status,
    statusText: b.statusText,
    headers: b.headers,
  });
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Shares one in-flight request among concurrent identical ones. `@huggingface/inference`
 * caches a model's provider mapping once it has it, but fifty concurrent first calls for
 * a model all ask the Hub: through this, they cost one request of the `api` quota. The
 * answer is buffered (Hub answers are small JSON) and each caller gets its own `Response`.
 * A caller's `signal` abandons its wait only; the shared request goes on for the others.
 *
 * @example
 * const coalescer = new HubLookupCoalescer();
 * const [a, b] = await Promise.all([coalescer.run(url, () => fetch(url)), coalescer.run(url, () => fetch(url))]);
 * // one request; a and b are two readable Responses
 */
export class HubLookupCoalescer {
  readonly #inFlight = new Map<string, Promise<Buffered>>();
  #shared = 0;

  /** Requests answered from another caller's request so far. */
  get shared(): number {
    return this.#shared;
  }

  /** Runs `request` unless one with the same `key` is in flight, and answers with its response. */
  async run(key: string, request: () => Promise<Response>, signal?: AbortSignal | null): Promise<Response> {
    let pending = this.#inFlight.get(key);
    if (pending) this.#shared++;
    else {
      pending = (async () => {
        const response = await request();
        const body = await response.arrayBuffer();
        return { status: response.status, statusText: response.statusText, headers: response.headers, body };
      })();
      this.#inFlight.set(key, pending);
      const forget = () => {
        if (this.#inFlight.get(key) === pending) this.#inFlight.delete(key);
      };
      pending.then(forget, forget);
    }
    return replay(await raceSignal(pending, signal));
  }
}
