/** Returned by every `on(...)`: call `dispose()` to remove the listener. */
export interface Disposable {
  dispose(): void;
}

/**
 * A small typed event emitter, cockatiel style: `on` returns a disposable, and a listener
 * that throws never breaks the call that emitted the event.
 */
export class Emitter<Events extends { [K in keyof Events]: (payload: never) => void }> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a listener; returns a {@link Disposable} that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): Disposable {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return { dispose: () => set.delete(listener) };
  }

  /** True when anyone listens to `event` (to skip building payloads nobody reads). */
  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener of `event` with `payload`. */
  emit<K extends keyof Events>(event: K, payload: Parameters<Events[K]>[0]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (p: typeof payload) => void)(payload);
      } catch {
        // listeners are observers; their failures are theirs
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
