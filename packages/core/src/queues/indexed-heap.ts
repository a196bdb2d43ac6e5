/**
 * A binary min-heap whose items know their own position (through `slot`), so that any item
 * can be removed in O(log n), not only the top: a waiter that aborts or passes its deadline
 * leaves the queue without a scan.
 */
export class IndexedHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;
  readonly #slot: { get(item: T): number; set(item: T, index: number): void };

  /**
   * @param before true when `a` must come out before `b`.
   * @param slot where each item keeps its index (-1 when it is not in the heap).
   */
  constructor(
    before: (a: T, b: T) => boolean,
    slot: { get(item: T): number; set(item: T, index: number): void },
  ) {
    this.#before = before;
    this.#slot = slot;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    this.#items.push(item);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item`; false when it is not in the heap. */
  remove(item: T): boolean {
    const index = this.#slot.get(item);
    const items = this.#items;
    if (index < 0 || items[index] !== item) return false;
    this.#slot.set(item, -1);
    const last = items.pop()!;
    if (index < items.length) {
      items[index] = last;
      this.#slot.set(last, index);
      this.#down(index);
      this.#up(this.#slot.get(last));
    }
    return true;
  }

  /** Empties the heap, returning its items in no particular order. */
  clear(): T[] {
    const items = this.#items.splice(0);
    for (const item of items) this.#slot.set(item, -1);
    return items;
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const p = items[parent]!;
      if (!this.#before(item, p)) break;
      items[index] = p;
      this.#slot.set(p, index);
      index = parent;
    }
    items[index] = item;
    this.#slot.set(item, index);
  }

  #down(index: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= n) break;
      if (child + 1 < n && this.#before(items[child + 1]!, items[child]!)) child++;
      const c = items[child]!;
      if (!this.#before(c, item)) break;
      items[index] = c;
      this.#slot.set(c, index);
      index = child;
    }
    items[index] = item;
    this.#slot.set(item, index);
  }
}
