// The `core` suite of bench/run.mjs: the governor's per-call overhead.
export { run } from "./overhead.mjs";
