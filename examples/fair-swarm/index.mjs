// The same swarm three times against the simulator: the quiet agents' latency under each
// queue kind. See README.md.
import { startSimulator } from "@swarmgate/hf-simulator";
import { runSwarm } from "./swarm.mjs";

const sim = await startSimulator({ seed: 7, latency: false });
const rows = [];
try {
  for (const queue of ["fifo", "fair-share", "priority"]) rows.push(await runSwarm({ url: sim.url, queue }));
} finally {
  await sim.close();
}
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  [
    "1 chatty agent (120 calls at once) + 20 quiet agents (3 calls each), 6 requests per 0.5 s window",
    "",
    "| queue | quiet call p50 | quiet call max | quiet agents done | all done | calls ok / failed | tokens counted (estimated) |",
    "|---|--:|--:|--:|--:|--:|--:|",
    ...rows.map(
      (r) =>
        `| ${r.queue} | ${s(r.quietP50Ms)} | ${s(r.quietMaxMs)} | ${s(r.quietDoneMs)} | ${s(r.allDoneMs)} | ${r.succeeded} / ${r.failed} | ${r.tokensUsed.toLocaleString("en")} (${r.tokensEstimated.toLocaleString("en")}) |`,
    ),
  ].join("\n"),
);
