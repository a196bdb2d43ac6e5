import { EntryList } from "./entry-list.js";
import { type QueueKind, type WaitEntry, WaitQueue } from "./wait-queue.js";

/** The waiters of one agent, FIFO, and its place in the rotation. */
class Lane<T, D> extends EntryList<T, D> {
  readonly agent: string;
  prev: Lane<T, D> = this;
  next: Lane<T, D> = this;
  inRing = true;

  constructor(agent: string) {
    super();
    this.agent = agent;
  }
}

/**
 * Round-robin across `agent` ids, FIFO within an agent: one chatty agent with a thousand
 * waiting calls gets one turn in each rotation, like each of fifty quiet ones. Lanes form a
 * ring; serving, adding and removing are O(1).
 */
export class FairShareQueue<T, D = undefined> extends WaitQueue<T, D> {
  readonly kind: QueueKind = "fair-share";
  readonly #lanes = new Map<string, Lane<T, D>>();
  // Whose turn it is.
  #cursor: Lane<T, D> | undefined;

  protected head(): WaitEntry<T, D> {
    return this.#cursor!.first!;
  }

  protected insert(entry: WaitEntry<T, D>): void {
    const lane = this.#lane(entry.agent);
    entry.lane = lane;
    lane.append(entry);
  }

  protected insertFront(entries: readonly WaitEntry<T, D>[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      const lane = this.#lane(entry.agent);
      entry.lane = lane;
      lane.prepend(entry);
    }
    const first = entries[0];
    if (first) this.#cursor = first.lane as Lane<T, D>;
  }

  protected delete(entry: WaitEntry<T, D>): void {
    const lane = entry.lane as Lane<T, D>;
    lane.remove(entry);
    if (lane.first === undefined) this.#unlink(lane);
  }

  // The served agent's turn is over: the next agent in the ring goes first.
  protected override served(entry: WaitEntry<T, D>): void {
    const lane = entry.lane as Lane<T, D>;
    if (lane.inRing && this.#cursor === lane) this.#cursor = lane.next;
  }

  #lane(agent: string): Lane<T, D> {
    const existing = this.#lanes.get(agent);
    if (existing) return existing;
    const lane = new Lane<T, D>(agent);
    this.#lanes.set(agent, lane);
    const cursor = this.#cursor;
    if (!cursor) this.#cursor = lane;
    else {
      // A new agent joins at the end of the rotation: just before whoever's turn it is.
      lane.next = cursor;
      lane.prev = cursor.prev;
      cursor.prev.next = lane;
      cursor.prev = lane;
    }
    return lane;
  }

  #unlink(lane: Lane<T, D>): void {
    this.#lanes.delete(lane.agent);
    lane.inRing = false;
    if (lane.next === lane) this.#cursor = undefined;
    else {
      lane.prev.next = lane.next;
      lane.next.prev = lane.prev;
      if (this.#cursor === lane) this.#cursor = lane.next;
    }
  }
}
