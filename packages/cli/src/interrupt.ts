import { setMaxListeners } from "node:events";

/** Ctrl-C as an AbortSignal. */
export interface Interrupt {
  readonly signal: AbortSignal;
  readonly interrupted: boolean;
  dispose(): void;
}

/**
 * The first SIGINT (or SIGTERM) aborts `signal` so the run stops cleanly and still reports;
 * a second one exits at once with 130.
 */
export function catchInterrupt(): Interrupt {
  const controller = new AbortController();
  // Every call of a swarm listens to it.
  setMaxListeners(0, controller.signal);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write("\nInterrupted: stopping, the partial report follows (Ctrl-C again to quit now)\n");
    controller.abort(new Error("interrupted"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    get interrupted() {
      return interrupted;
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
