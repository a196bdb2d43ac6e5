import { IndexedHeap } from "./indexed-heap.js";

/** The order in which waiting callers are served: see docs/governor.md, "Queues". */
export type QueueKind = "fifo" | "priority" | "fair-share";

/** The documented queue kinds, for validation. */
export const QUEUE_KINDS: readonly QueueKind[] = ["fifo", "priority", "fair-share"];

/** What a caller tells the queue it waits in. */
export interface WaitRequest {
  /** Epoch ms after which waiting is pointless; `Infinity` waits as long as it takes. */
  readonly deadline: number;
  readonly signal?: AbortSignal | undefined;
  /** Higher first (`priority` queue). @default 0 */
  readonly priority?: number | undefined;
  /** Round-robin key (`fair-share` queue). @default "" */
  readonly agent?: string | undefined;
}

/** One caller waiting: its promise, its place, and whatever the queue's owner attaches. */
export class WaitEntry<T, D> {
  readonly data: D;
  readonly deadline: number;
  readonly priority: number;
  readonly agent: string;
  readonly seq: number;
  /** queued: in the queue; taken: out of it but not yet settled (see `take`); done: settled. */
  state: "queued" | "taken" | "done" = "queued";
  heapSlot = -1;
  deadlineSlot = -1;
  prev: WaitEntry<T, D> | undefined;
  next: WaitEntry<T, D> | undefined;
  lane: unknown;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(data: D, request: WaitRequest, seq: number) {
    this.data = data;
    this.deadline = request.deadline;
    const p = request.priority;
    this.priority = typeof p === "number" && Number.isFinite(p) ? p : 0;
    this.agent = request.agent ?? "";
    this.seq = seq;
  }

  /** @internal */
  bind(
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
    signal?: AbortSignal,
    onAbort?: () => void,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    this.#onAbort = onAbort;
  }

  /** Serves the waiter; false when it already settled. */
  resolve(value: T): boolean {
    if (this.state === "done") return false;
    this.#done();
    this.#resolve(value);
    return true;
  }

  /** Refuses the waiter; false when it already settled. */
  reject(error: unknown): boolean {
    if (this.state === "done") return false;
    this.#done();
    this.#reject(error);
    return true;
  }

  #done(): void {
    this.state = "done";
    if (this.#onAbort) this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

type Timed = { readonly deadline: number; deadlineSlot: number };
const byDeadline = (a: Timed, b: Timed) => a.deadline < b.deadline;
const deadlineSlot = {
  get: (e: Timed) => e.deadlineSlot,
  set: (e: Timed, i: number) => {
    e.deadlineSlot = i;
  },
};

/**
 * Callers waiting for something (a quota permit, a concurrency slot), each settled exactly
 * once. The owner decides when the head is served; the subclass decides who the head is
 * (FIFO, priority, fair share). Deadlines sit in a heap of their own, so refusing every
 * waiter whose deadline falls before a wait's end costs O(log n) per refused waiter.
 */
export abstract class WaitQueue<T, D = undefined> {
  abstract readonly kind: QueueKind;
  readonly #onHeadLeft: () => void;
  readonly #deadlines = new IndexedHeap<WaitEntry<T, D>>(byDeadline, deadlineSlot);
  #length = 0;
  #seq = 0;

  /** @param onHeadLeft called when the head gave up (aborted), so the next one can be examined. */
  constructor(onHeadLeft: () => void = () => {}) {
    this.#onHeadLeft = onHeadLeft;
  }

  /** Callers in the queue (not counting those taken out by {@link take}). */
  get length(): number {
    return this.#length;
  }

  /** The next caller to serve. */
  peek(): WaitEntry<T, D> | undefined {
    return this.#length === 0 ? undefined : this.head();
  }

  /** Queues a caller; rejects at once with the signal's reason if it already aborted. */
  push(data: D, request: WaitRequest): Promise<T> {
    const signal = request.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const entry = new WaitEntry<T, D>(data, request, this.#seq++);
    const promise = new Promise<T>((resolve, reject) => {
      if (!signal) entry.bind(resolve, reject);
      else {
        const onAbort = () => this.#abort(entry, signal.reason);
        entry.bind(resolve, reject, signal, onAbort);
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    this.#enqueue(entry);
    return promise;
  }

  /** Serves the head with `value`; false when nobody waits. */
  resolveHead(value: T): boolean {
    const entry = this.peek();
    if (!entry) return false;
    this.#dequeue(entry);
    this.served(entry);
    return entry.resolve(value);
  }

  /** Refuses the head with `error`; false when nobody waits. */
  rejectHead(error: unknown): boolean {
    const entry = this.peek();
    if (!entry) return false;
    this.#dequeue(entry);
    return entry.reject(error);
  }

  /**
   * Takes up to `max` callers out of the queue, in the order they would be served, still
   * unsettled: the owner asks for their grants, settles those it can and gives the rest back
   * with {@link restore}. A caller that aborts meanwhile is settled at once (state `done`).
   */
  take(max: number): WaitEntry<T, D>[] {
    const out: WaitEntry<T, D>[] = [];
    while (out.length < max) {
      const entry = this.peek();
      if (!entry) break;
      this.#dequeue(entry);
      this.served(entry);
      entry.state = "taken";
      out.push(entry);
    }
    return out;
  }

  /** Puts callers from {@link take} back at the head, in their order; settled ones are skipped. */
  restore(entries: readonly WaitEntry<T, D>[]): void {
    const back = entries.filter((e) => e.state === "taken");
    for (const e of back) {
      e.state = "queued";
      this.#length++;
      if (Number.isFinite(e.deadline)) this.#deadlines.push(e);
    }
    this.insertFront(back);
  }

  /** Rejects, with `error(entry)`, every waiter whose deadline falls before `cutoff`. */
  rejectExpired(cutoff: number, error: (entry: WaitEntry<T, D>) => unknown): void {
    for (let e = this.#deadlines.peek(); e && e.deadline < cutoff; e = this.#deadlines.peek()) {
      this.#dequeue(e);
      e.reject(error(e));
    }
  }

  /** Rejects every waiter with `error`. */
  drain(error: unknown): void {
    for (let e = this.peek(); e; e = this.peek()) {
      this.#dequeue(e);
      e.reject(error);
    }
  }

  /** The next caller to serve; called only when the queue is not empty. */
  protected abstract head(): WaitEntry<T, D>;
  /** Adds a caller at its place. */
  protected abstract insert(entry: WaitEntry<T, D>): void;
  /** Adds callers back in front of everyone, keeping their order. */
  protected abstract insertFront(entries: readonly WaitEntry<T, D>[]): void;
  /** Removes a caller from wherever it is. */
  protected abstract delete(entry: WaitEntry<T, D>): void;
  /** The head was just served (after its removal): a fair queue moves its turn on. */
  protected served(_entry: WaitEntry<T, D>): void {}

  #enqueue(entry: WaitEntry<T, D>): void {
    this.insert(entry);
    this.#length++;
    if (Number.isFinite(entry.deadline)) this.#deadlines.push(entry);
  }

  #dequeue(entry: WaitEntry<T, D>): void {
    this.delete(entry);
    this.#length--;
    this.#deadlines.remove(entry);
  }

  #abort(entry: WaitEntry<T, D>, reason: unknown): void {
    if (entry.state !== "queued") {
      entry.reject(reason); // taken out for a decision: the owner finds it settled
      return;
    }
    const wasHead = this.head() === entry;
    this.#dequeue(entry);
    entry.reject(reason);
    if (wasHead) this.#onHeadLeft();
  }
}
