/**
 * Runs `call` exactly `calls` times with `inFlight` calls outstanding at every moment (a
 * closed loop: each worker starts its next call as soon as its previous one settles) and
 * returns the wall time in nanoseconds.
 *
 * @param {() => Promise<unknown>} call
 * @param {number} calls
 * @param {number} inFlight
 * @returns {Promise<bigint>}
 */
export async function closedLoop(call, calls, inFlight) {
  let left = calls;
  // The counter is taken before the await, so exactly `calls` calls start however they interleave.
  const worker = async () => {
    while (left > 0) {
      left--;
      await call();
    }
  };
  const workers = new Array(inFlight);
  const started = process.hrtime.bigint();
  for (let i = 0; i < inFlight; i++) workers[i] = worker();
  await Promise.all(workers);
  return process.hrtime.bigint() - started;
}
