/**
 * In-flight request counts per key, with the high-water mark the stats report. The cap
 * itself is hidden (HF does not publish one): going past it answers 503.
 */
export class InFlight {
  readonly #current = new Map<string, number>();
  readonly #max = new Map<string, number>();

  /** Takes a slot for `key` unless `cap` are in flight; `false` when over the cap. */
  tryAcquire(key: string, cap: number): boolean {
    const current = this.#current.get(key) ?? 0;
    if (current >= cap) return false;
    this.#current.set(key, current + 1);
    if (current + 1 > (this.#max.get(key) ?? 0)) this.#max.set(key, current + 1);
    return true;
  }

  /** Frees a slot taken by {@link tryAcquire}. */
  release(key: string): void {
    this.#current.set(key, Math.max(0, (this.#current.get(key) ?? 0) - 1));
  }

  /** Requests of `key` in flight now. */
  current(key: string): number {
    return this.#current.get(key) ?? 0;
  }

  /** Most requests of `key` ever in flight at once. */
  max(key: string): number {
    return this.#max.get(key) ?? 0;
  }

  /** Resets the high-water marks (requests in flight stay counted). */
  reset(): void {
    this.#max.clear();
    for (const [key, value] of this.#current) if (value > 0) this.#max.set(key, value);
  }
}
