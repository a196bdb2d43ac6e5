/** A call that can be cancelled, linked into its governor's list of calls in flight. */
export interface ActiveCall {
  /** @internal */ prevActive: ActiveCall | undefined;
  /** @internal */ nextActive: ActiveCall | undefined;
  cancel(reason: unknown): void;
}

/**
 * The calls in flight of one governor, as an intrusive doubly-linked list: adding and
 * removing cost two pointer writes and no hashing, on a path every call takes twice.
 */
export class ActiveCalls {
  #head: ActiveCall | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(call: ActiveCall): void {
    call.prevActive = undefined;
    call.nextActive = this.#head;
    if (this.#head) this.#head.prevActive = call;
    this.#head = call;
    this.#size++;
  }

  /** Removes `call`; call it once per `add`. */
  delete(call: ActiveCall): void {
    if (call.prevActive) call.prevActive.nextActive = call.nextActive;
    else this.#head = call.nextActive;
    if (call.nextActive) call.nextActive.prevActive = call.prevActive;
    call.prevActive = call.nextActive = undefined;
    this.#size--;
  }

  /** A copy of the list, safe to iterate while calls remove themselves. */
  snapshot(): ActiveCall[] {
    const out: ActiveCall[] = [];
    for (let call = this.#head; call; call = call.nextActive) out.push(call);
    return out;
  }
}
