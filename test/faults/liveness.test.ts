import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A short script whose only pending work is governed calls waiting for a quota window or a
// backoff must finish them: a real `node` child against a real HTTP server in this process.

const root = fileURLToPath(new URL("../../", import.meta.url));
const coreDist = join(root, "packages/core/dist/index.js");
const core = pathToFileURL(coreDist).href;

let server: Server;
let url: string;
let requests = 0;
const attemptsByPath = new Map<string, number>();
let dir: string;

beforeAll(async () => {
  // CI builds before testing (`pnpm test`); a bare `vitest run` on a fresh clone builds here.
  // A dist from before the keep-alive existed would test old code: build that too.
  if (!existsSync(join(root, "packages/core/dist/keep-alive.js")))
    execFileSync("pnpm", ["build"], { cwd: root, stdio: "ignore" });
  dir = mkdtempSync(join(tmpdir(), "swarmgate-liveness-"));
  server = createServer((req, res) => {
    requests++;
    const path = req.url ?? "/";
    const n = (attemptsByPath.get(path) ?? 0) + 1;
    attemptsByPath.set(path, n);
    req.resume();
    // Every third call is refused once with a short Retry-After: its retry waits on a backoff.
    if (n === 1 && Number(path.slice(1)) % 3 === 0) res.writeHead(429, { "retry-after": "0.2" }).end();
    else res.writeHead(200).end(`answer ${path.slice(1)}`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 180_000);

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function runScript(name: string, source: string, ...args: string[]) {
  const file = join(dir, name);
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return once(child, "exit").then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

const CALLS = `
import { createGovernor, UpstreamError } from ${JSON.stringify(core)};
const url = process.argv[2];
// Two calls per 250 ms window: eight calls need four windows, all spent waiting on timers.
const governor = createGovernor({ quotas: { inference: [{ limit: 2, windowMs: 250 }] }, concurrency: false });
const answers = await Promise.all(
  Array.from({ length: 8 }, (_, i) =>
    governor.run(async ({ signal, observe }) => {
      const res = await fetch(url + i, { signal });
      observe({ status: res.status, headers: res.headers });
      const text = await res.text();
      if (!res.ok) throw new UpstreamError("HTTP " + res.status, res.status);
      return text;
    }),
  ),
);
for (const answer of answers) console.log(answer);
console.log("all done");
`;

const CLOSE = `
import { createGovernor } from ${JSON.stringify(core)};
const governor = createGovernor({ quotas: { inference: [{ limit: 1, windowMs: 60_000 }] } });
const calls = Array.from({ length: 5 }, () => governor.run(async () => "ok").catch((e) => e.code));
setTimeout(async () => {
  await governor.close();
  console.log(JSON.stringify(await Promise.all(calls)));
  setImmediate(() => console.log("resources " + JSON.stringify(process.getActiveResourcesInfo())));
}, 50);
`;

describe("liveness", () => {
  it("a script whose calls wait for quota and backoff finishes all of them and exits 0", async () => {
    requests = 0;
    attemptsByPath.clear();
    const { code, stdout, stderr } = await runScript("calls.mjs", CALLS, url);
    const answers = stdout.split("\n").filter((line) => line.startsWith("answer "));
    console.log(
      `liveness: exit code ${code}, ${answers.length} of 8 answers, ${requests} requests (3 refused once), "all done" ${stdout.includes("all done") ? "printed" : "missing"}`,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(answers).toEqual(Array.from({ length: 8 }, (_, i) => `answer ${i}`));
    expect(stdout).toContain("all done");
    expect(requests).toBe(11);
  });

  it("a script that closes its governor mid-wait exits at once with no live handle", async () => {
    const { code, stdout, stderr } = await runScript("close.mjs", CLOSE);
    const resources = JSON.parse(stdout.split("resources ")[1] ?? "null") as string[] | null;
    console.log(
      `liveness: close() mid-wait: exit code ${code}, resources after close ${JSON.stringify(resources)}`,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('["ok","closed","closed","closed","closed"]');
    expect(resources).not.toContain("Timeout");
  });
});
