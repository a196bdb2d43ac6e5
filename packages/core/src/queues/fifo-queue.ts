import { type QueueKind, type WaitEntry, WaitQueue } from "./wait-queue.js";

/** First come, first served: a doubly-linked list, every operation O(1). */
export class FifoQueue<T, D = undefined> extends WaitQueue<T, D> {
  readonly kind: QueueKind = "fifo";
  #first: WaitEntry<T, D> | undefined;
  #last: WaitEntry<T, D> | undefined;

  protected head(): WaitEntry<T, D> {
    return this.#first!;
  }

  protected insert(entry: WaitEntry<T, D>): void {
    entry.next = undefined;
    entry.prev = this.#last;
    if (this.#last) this.#last.next = entry;
    else this.#first = entry;
    this.#last = entry;
  }

  protected insertFront(entries: readonly WaitEntry<T, D>[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      entry.prev = undefined;
      entry.next = this.#first;
      if (this.#first) this.#first.prev = entry;
      else this.#last = entry;
      this.#first = entry;
    }
  }

  protected delete(entry: WaitEntry<T, D>): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.#first = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.#last = entry.prev;
    entry.prev = entry.next = undefined;
  }
}
