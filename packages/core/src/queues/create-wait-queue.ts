import { expectOneOf } from "../validate.js";
import { FairShareQueue } from "./fair-share-queue.js";
import { FifoQueue } from "./fifo-queue.js";
import { PriorityQueue } from "./priority-queue.js";
import { QUEUE_KINDS, type QueueKind, type WaitQueue } from "./wait-queue.js";

/** A queue of the given kind (the `queue` option of `createGovernor`). */
export function createWaitQueue<T, D = undefined>(kind: QueueKind, onHeadLeft?: () => void): WaitQueue<T, D> {
  switch (expectOneOf("queue", kind, QUEUE_KINDS)) {
    case "priority":
      return new PriorityQueue<T, D>(onHeadLeft);
    case "fair-share":
      return new FairShareQueue<T, D>(onHeadLeft);
    default:
      return new FifoQueue<T, D>(onHeadLeft);
  }
}
