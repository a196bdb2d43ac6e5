// One measurement of one contender, in a process of its own so that no contender's JIT
// feedback or garbage weighs on another's. Prints one JSON line; overhead.mjs runs it.
//
//   node --expose-gc bench/core/measure.mjs --contender governor --calls 500000 --warmup 50000
//
// Run it alone under `node --cpu-prof` to profile one contender.
import { parseArgs } from "node:util";
import { closedLoop } from "./closed-loop.mjs";
import { contenders } from "./contenders.mjs";

const { values } = parseArgs({
  options: {
    contender: { type: "string" },
    calls: { type: "string", default: "500000" },
    warmup: { type: "string", default: "50000" },
    "in-flight": { type: "string", default: "64" },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const inFlight = Number(values["in-flight"]);
for (const [name, n] of [
  ["calls", calls],
  ["warmup", warmup],
  ["in-flight", inFlight],
]) {
  if (!Number.isInteger(n) || n < 0)
    throw new TypeError(`Expected \`--${name}\` to be an integer ≥ 0, got ${n}`);
}
const contender = contenders.find((c) => c.id === values.contender);
if (!contender) {
  const ids = contenders.map((c) => c.id).join(", ");
  throw new TypeError(`Expected \`--contender\` to be one of ${ids}, got ${values.contender}`);
}

let invoked = 0;
const noop = async () => {
  invoked++;
};
const instance = contender.create(noop);

await closedLoop(instance.call, warmup, inFlight);
globalThis.gc?.();
const ns = await closedLoop(instance.call, calls, inFlight);

const problem =
  invoked !== warmup + calls
    ? `noop ran ${invoked} times for ${warmup + calls} calls`
    : instance.check?.(warmup + calls);
await instance.close?.();
if (problem) throw new Error(`${contender.id}: ${problem}`);
process.stdout.write(`${JSON.stringify({ contender: contender.id, calls, inFlight, ns: Number(ns) })}\n`);
