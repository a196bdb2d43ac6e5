import { EntryList } from "./entry-list.js";
import { type QueueKind, type WaitEntry, WaitQueue } from "./wait-queue.js";

/** First come, first served: a doubly-linked list, every operation O(1). */
export class FifoQueue<T, D = undefined> extends WaitQueue<T, D> {
  readonly kind: QueueKind = "fifo";
  readonly #list = new EntryList<T, D>();

  protected head(): WaitEntry<T, D> {
    return this.#list.first!;
  }

  protected insert(entry: WaitEntry<T, D>): void {
    this.#list.append(entry);
  }

  protected insertFront(entries: readonly WaitEntry<T, D>[]): void {
    for (let i = entries.length - 1; i >= 0; i--) this.#list.prepend(entries[i]!);
  }

  protected delete(entry: WaitEntry<T, D>): void {
    this.#list.remove(entry);
  }
}
