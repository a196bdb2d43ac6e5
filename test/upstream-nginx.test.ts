// A swarm with a minimal configuration (a quota and a concurrency limit, nothing else)
// against a real rate limiter: Debian's nginx `limit_req` (a leaky bucket answering 429 with
// no header and no hint) in front of the simulator. `.ci/run` installs nginx-light; without
// /usr/sbin/nginx the test is skipped.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGovernor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leakyBucketConf, NGINX } from "../bench/limits/nginx.mjs";

const RATE = 20; // requests per second
const BURST = 5;
const AGENTS = 20;
const CALLS = 5;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

async function reachable(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("nginx did not answer");
}

let sim: Simulator;
let nginx: ChildProcess;
let dir: string;
let url: string;

describe.skipIf(!existsSync(NGINX))("a minimal configuration against nginx limit_req", () => {
  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, coldStart: false, spike: false, latency: false });
    dir = mkdtempSync(join(tmpdir(), "swarmgate-nginx-"));
    const port = await freePort();
    const conf = join(dir, "nginx.conf");
    writeFileSync(
      conf,
      leakyBucketConf({ dir, port, upstreamPort: Number(new URL(sim.url).port), rate: RATE, burst: BURST }),
    );
    nginx = spawn(NGINX, ["-p", dir, "-e", join(dir, "error.log"), "-c", conf, "-g", "daemon off;"], {
      stdio: "ignore",
    });
    await reachable(port, nginx);
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill("SIGTERM");
      await once(nginx, "exit");
    }
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finishes every call, learns a rate at or below the limiter's and leaves most requests unrefused", async () => {
    const governor = createGovernor({
      name: "nginx",
      quotas: { inference: [{ limit: 1_000, windowMs: 60_000 }] },
      concurrency: { max: 16 },
    });
    const cuts: number[] = [];
    governor.on("upstreamRate", ({ ratePerSecond }) => cuts.push(ratePerSecond));
    const send = governedFetch(governor, { baseUrl: url });
    const statuses: number[] = [];
    try {
      await Promise.all(
        Array.from({ length: AGENTS }, async (_, agent) => {
          for (let call = 0; call < CALLS; call++) {
            const response = await send("https://router.huggingface.co/v1/chat/completions", {
              method: "POST",
              headers: { authorization: "Bearer hf_test_pro", "content-type": "application/json" },
              body: JSON.stringify({
                model: "meta-llama/Llama-3.1-8B-Instruct",
                messages: [{ role: "user", content: `agent ${agent}, step ${call}` }],
                max_tokens: 8,
              }),
            });
            await response.arrayBuffer();
            statuses.push(response.status);
          }
        }),
      );
      const seen = readFileSync(join(dir, "access.log"), "utf8").split("\n").filter(Boolean).map(Number);
      const refused = seen.filter((s) => s === 429).length;
      console.info("nginx limit_req", { calls: statuses.length, requests: seen.length, refused, cuts });
      expect(statuses).toEqual(Array(AGENTS * CALLS).fill(200));
      // The limiter said nothing but 429: the governor learned a rate from it.
      expect(cuts.length).toBeGreaterThan(0);
      const rate = (await governor.snapshot()).upstreams.auto?.ratePerSecond;
      expect(rate).toBeGreaterThan(0);
      expect(rate).toBeLessThanOrEqual(2 * RATE);
      expect(refused).toBeLessThan(seen.length / 2);
    } finally {
      await governor.close();
    }
  });
});
