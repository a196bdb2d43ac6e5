/** A call that can be cancelled, linked into its governor's list of calls in flight. */
export interface ActiveCall {
  /** @internal */ prevActive: ActiveCall | undefined;
  /** @internal */ nextActive: ActiveCall | undefined;
  cancel(reason: unknown): void;
}

/** Told when a governor goes from idle to busy (its first call in flight) and back. */
export interface Occupancy {
  busy(): void;
  idle(): void;
}

/**
 * The calls in flight of one governor, as an intrusive doubly-linked list: adding and
 * removing cost two pointer writes and no hashing, on a path every call takes twice.
 */
export class ActiveCalls {
  #head: ActiveCall | undefined;
  #size = 0;
  readonly #occupancy: Occupancy | undefined;

  /** @param occupancy told when the first call starts and when the last one ends (liveness). */
  constructor(occupancy?: Occupancy) {
    this.#occupancy = occupancy;
  }

  get size(): number {
    return this.#size;
  }

  add(call: ActiveCall): void {
    call.prevActive = undefined;
    call.nextActive = this.#head;
    if (this.#head) this.#head.prevActive = call;
    this.#head = call;
    if (this.#size++ === 0) this.#occupancy?.busy();
  }

  /** Removes `call`; call it once per `add`. */
  delete(call: ActiveCall): void {
    if (call.prevActive) call.prevActive.nextActive = call.nextActive;
    else this.#head = call.nextActive;
    if (call.nextActive) call.nextActive.prevActive = call.prevActive;
    call.prevActive = call.nextActive = undefined;
    if (--this.#size === 0) this.#occupancy?.idle();
  }

  /** A copy of the list, safe to iterate while calls remove themselves. */
  snapshot(): ActiveCall[] {
    const out: ActiveCall[] = [];
    for (let call = this.#head; call; call = call.nextActive) out.push(call);
    return out;
  }
}
