/**
 * True for a thenable: the in-memory store answers synchronously, a remote one with a promise.
 * Reads `then` once; a `then` getter that throws throws here (the call guards it and adopts a
 * foreign thenable through a native promise, which reads it again safely).
 */
export function isPromise<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
