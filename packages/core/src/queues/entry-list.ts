import type { WaitEntry } from "./wait-queue.js";

/** A doubly-linked list of waiters through their own `prev`/`next`: every operation O(1). */
export class EntryList<T, D> {
  first: WaitEntry<T, D> | undefined;
  last: WaitEntry<T, D> | undefined;

  append(entry: WaitEntry<T, D>): void {
    entry.next = undefined;
    entry.prev = this.last;
    if (this.last) this.last.next = entry;
    else this.first = entry;
    this.last = entry;
  }

  prepend(entry: WaitEntry<T, D>): void {
    entry.prev = undefined;
    entry.next = this.first;
    if (this.first) this.first.prev = entry;
    else this.last = entry;
    this.first = entry;
  }

  remove(entry: WaitEntry<T, D>): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.first = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.last = entry.prev;
    entry.prev = entry.next = undefined;
  }
}
