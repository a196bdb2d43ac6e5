import { IndexedHeap } from "./indexed-heap.js";
import { type QueueKind, type WaitEntry, WaitQueue } from "./wait-queue.js";

type Entry = Pick<WaitEntry<unknown, unknown>, "priority" | "seq" | "heapSlot">;
// Higher priority first; within a priority, whoever came first (the sequence number).
const before = (a: Entry, b: Entry) =>
  a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
const slot = {
  get: (e: Entry) => e.heapSlot,
  set: (e: Entry, i: number) => {
    e.heapSlot = i;
  },
};

/**
 * Higher `priority` first, FIFO within a priority: a binary heap, O(log n) to add, serve or
 * remove a waiter. A low-priority waiter can wait behind a stream of higher ones, but never
 * past its own deadline.
 */
export class PriorityQueue<T, D = undefined> extends WaitQueue<T, D> {
  readonly kind: QueueKind = "priority";
  readonly #heap = new IndexedHeap<WaitEntry<T, D>>(before, slot);

  protected head(): WaitEntry<T, D> {
    return this.#heap.peek()!;
  }

  protected insert(entry: WaitEntry<T, D>): void {
    this.#heap.push(entry);
  }

  // Priority and sequence number are kept: a restored waiter goes back exactly where it was.
  protected insertFront(entries: readonly WaitEntry<T, D>[]): void {
    for (const entry of entries) this.#heap.push(entry);
  }

  protected delete(entry: WaitEntry<T, D>): void {
    this.#heap.remove(entry);
  }
}
