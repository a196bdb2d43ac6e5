/**
 * Cold starts of hf-inference models: a model unused for `idleMs` is unloaded, and the
 * next call starts a load lasting `durationMs`. In `delay` mode calls wait for the load;
 * in `loading` mode they get hf-inference's 503 "Model X is currently loading" with the
 * remaining `estimated_time` until it is done.
 */

/** What a call meets. */
export type ColdStartState =
  | { readonly kind: "warm" }
  | { readonly kind: "loading"; readonly remainingMs: number };

/** Load state per model. */
export class ColdStarts {
  readonly #idleMs: number;
  readonly #durationMs: number;
  readonly #lastUse = new Map<string, number>();
  readonly #loadedAt = new Map<string, number>();

  /** @param idleMs idle time that unloads a model; @param durationMs load time. */
  constructor(idleMs: number, durationMs: number) {
    this.#idleMs = idleMs;
    this.#durationMs = durationMs;
  }

  /** Records a call to `model` at simulated `now` and says whether it is loaded. */
  touch(model: string, now: number): ColdStartState {
    const lastUse = this.#lastUse.get(model);
    const loadedAt = this.#loadedAt.get(model);
    this.#lastUse.set(model, now);
    if (loadedAt !== undefined && now < loadedAt) return { kind: "loading", remainingMs: loadedAt - now };
    if (lastUse === undefined || now - lastUse > this.#idleMs) {
      if (this.#durationMs <= 0) return { kind: "warm" };
      this.#loadedAt.set(model, now + this.#durationMs);
      return { kind: "loading", remainingMs: this.#durationMs };
    }
    return { kind: "warm" };
  }

  /** Unloads every model. */
  reset(): void {
    this.#lastUse.clear();
    this.#loadedAt.clear();
  }
}
