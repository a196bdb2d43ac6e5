import type { AttemptContextImpl } from "./attempt-context.js";
import type { Deadline, DeadlineQueue, Expirable } from "./deadline-queue.js";
import { TimeoutError } from "./errors.js";
import type { AttemptEndListener, PolicyContext } from "./policy.js";

/** @internal What an attempt reports to its call. */
export interface RunOwner {
  readonly deadlines: DeadlineQueue;
  attemptFinished(run: AttemptRun<unknown>, failed: boolean, error: unknown): void;
}

type Listener = AttemptEndListener<unknown>;

/**
 * @internal One attempt: the promise the call's function settles (or its timeout, or the
 * call's cancellation, whichever comes first), its deadline, and what policies asked to be
 * told when it ends (a slot to give back, permits to reconcile). An attempt that a policy
 * refuses before the function runs ends with the pipeline's answer ({@link end}). An object
 * with methods rather than closures, because every attempt allocates one.
 */
export class AttemptRun<T> implements Expirable {
  readonly number: number;
  /** The function's context, once the function was called. */
  ctx: AttemptContextImpl | undefined;
  readonly #owner: RunOwner;
  readonly #view: PolicyContext;
  // Made when the function is called: an attempt refused before has no promise to reject.
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #deadline: Deadline | undefined;
  #timeoutMs = 0;
  #done = false;
  #released = false;
  #failed = false;
  #error: unknown;
  // The first listener inline: most attempts have one (the concurrency slot) or none.
  #listener: Listener | undefined;
  #token: unknown;
  #more: [Listener, unknown][] | undefined;

  constructor(owner: RunOwner, number: number, view: PolicyContext) {
    this.#owner = owner;
    this.number = number;
    this.#view = view;
  }

  /** The promise the function's result settles; made once, when the function is called. */
  open(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  /** Whether the function was called (see {@link open}). */
  get started(): boolean {
    return this.#resolve !== undefined;
  }

  /** Fails the attempt with a TimeoutError after `ms` (replacing an earlier timeout). */
  arm(ms: number, now: number): void {
    if (this.#done) return;
    if (this.#deadline) this.#owner.deadlines.cancel(this.#deadline);
    this.#timeoutMs = ms;
    this.#deadline = this.#owner.deadlines.add(ms, this, now);
  }

  /** The attempt timed out. */
  expire(): void {
    this.#deadline = undefined;
    this.fail(new TimeoutError("attempt", this.#timeoutMs));
  }

  /** The pipeline answered without the function (a policy refused or answered itself): the attempt is over. */
  end(failed: boolean, error: unknown): void {
    this.#finish(failed, error);
  }

  succeed(value: T): void {
    if (this.#finish(false, undefined)) this.#resolve?.(value);
  }

  /** Fails the attempt now (error, timeout, cancel): its signal aborts and its listeners are told. */
  fail(error: unknown): void {
    if (this.#finish(true, error)) {
      this.ctx?.abort(error);
      this.#reject?.(error);
    }
  }

  /** Settled by the function's own rejection: nothing left to abort. */
  rejected(error: unknown): void {
    if (this.#finish(true, error)) this.#reject?.(error);
  }

  /** Tells `listener` when the attempt ends; at once if it was already told. */
  listen(listener: Listener, token: unknown): void {
    if (this.#released) this.#tell(listener, token);
    else if (this.#listener === undefined) {
      this.#listener = listener;
      this.#token = token;
    } else {
      this.#more ??= [];
      this.#more.push([listener, token]);
    }
  }

  /** Tells every listener that the attempt ended, once (later, for a held stream). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const listener = this.#listener;
    if (listener) {
      this.#listener = undefined;
      this.#tell(listener, this.#token);
    }
    const more = this.#more;
    if (more) {
      this.#more = undefined;
      for (const [l, token] of more) this.#tell(l, token);
    }
  }

  #tell(listener: Listener, token: unknown): void {
    try {
      listener.attemptEnded(token, this.#failed, this.#error, this.#view);
    } catch {
      // a listener's failure must not keep the others from being told
    }
  }

  #finish(failed: boolean, error: unknown): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#failed = failed;
    this.#error = error;
    if (this.#deadline) this.#owner.deadlines.cancel(this.#deadline);
    this.ctx?.dispose();
    this.#owner.attemptFinished(this as AttemptRun<unknown>, failed, error);
    return true;
  }
}

/** @internal A stream holding its attempt's slot after its call returned: see `holdSlot()`. */
export class HeldSlot {
  released = false;
  #releaseRun: (() => void) | undefined;
  readonly #onRelease: () => void;
  readonly release = (): void => {
    if (this.released) return;
    this.released = true;
    this.#releaseRun?.();
    this.#onRelease();
  };

  constructor(onRelease: () => void) {
    this.#onRelease = onRelease;
  }

  attach(releaseRun: () => void): void {
    this.#releaseRun = releaseRun;
    if (this.released) releaseRun();
  }
}
