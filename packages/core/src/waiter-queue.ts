/** One caller waiting in a {@link WaiterQueue}, with whatever the queue's owner attaches. */
export interface Waiter<T, D> {
  readonly data: D;
  resolve(value: T): void;
  reject(error: unknown): void;
}

interface Entry<T, D> extends Waiter<T, D> {
  cleanup(): void;
}

/**
 * Callers waiting in FIFO order for something (a quota permit, a concurrency slot): each
 * with its promise, leaving the queue when its signal aborts. The owner decides when the
 * head is served; the queue makes sure every waiter settles exactly once.
 */
export class WaiterQueue<T, D = undefined> {
  readonly #entries: Entry<T, D>[] = [];
  readonly #onHeadLeft: () => void;

  /** @param onHeadLeft called when the head gave up (aborted), so the next one can be examined. */
  constructor(onHeadLeft: () => void = () => {}) {
    this.#onHeadLeft = onHeadLeft;
  }

  get length(): number {
    return this.#entries.length;
  }

  /** The waiter at `index` (0 is the head). */
  at(index: number): Waiter<T, D> | undefined {
    return this.#entries[index];
  }

  /** Queues a caller; rejects at once with the signal's reason if it already aborted. */
  push(data: D, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.#remove(entry, signal?.reason);
      const entry: Entry<T, D> = {
        data,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#entries.push(entry);
    });
  }

  /** Serves the head with `value`; false when nobody waits. */
  resolveHead(value: T): boolean {
    const entry = this.#entries.shift();
    if (!entry) return false;
    entry.cleanup();
    entry.resolve(value);
    return true;
  }

  /** Rejects, with `error(data)`, every waiter for which `refuse(data)` holds. */
  rejectWhere(refuse: (data: D) => boolean, error: (data: D) => unknown): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (!refuse(entry.data)) continue;
      this.#entries.splice(i, 1);
      entry.cleanup();
      entry.reject(error(entry.data));
    }
  }

  /** Rejects every waiter with `error`. */
  drain(error: unknown): void {
    for (const entry of this.#entries.splice(0)) {
      entry.cleanup();
      entry.reject(error);
    }
  }

  #remove(entry: Entry<T, D>, error: unknown): void {
    const index = this.#entries.indexOf(entry);
    if (index < 0) return;
    this.#entries.splice(index, 1);
    entry.cleanup();
    entry.reject(error);
    if (index === 0) this.#onHeadLeft();
  }
}
