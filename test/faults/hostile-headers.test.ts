import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGovernor, type Governor, ManualClock, UpstreamError } from "@swarmgate/core";
import { governedFetch } from "@swarmgate/huggingface";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Hostile or buggy rate-limit headers from a real HTTP server, on fake time: each one may
// hold the swarm at most until its ceiling (two configured windows), then exactly one probe
// goes; when the server answers it normally, every waiting call completes.

const START = Date.UTC(2026, 11, 2);
const WINDOW_MS = 60_000;
const CEILING_MS = 2 * WINDOW_MS;
const DAY = 24 * 3600;
const SWARM = 8;

interface Row {
  readonly name: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  /**
   * Whether the server's wait is long enough to be cut to the ceiling (then: one probe);
   * else how long the swarm waits (0: the header is ignored).
   */
  readonly held: boolean;
  readonly waitMs?: number;
}

const httpDate = (ms: number) => new Date(ms).toUTCString();
const ROWS: readonly Row[] = [
  {
    name: "200 RateLimit r=0;t=31017600",
    status: 200,
    headers: { ratelimit: '"inference";r=0;t=31017600' },
    held: true,
  },
  {
    name: "429 RateLimit r=0;t=31017600",
    status: 429,
    headers: { ratelimit: '"inference";r=0;t=31017600' },
    held: true,
  },
  { name: "429 Retry-After: 31017600", status: 429, headers: { "retry-after": "31017600" }, held: true },
  {
    name: "429 Retry-After: date +300 d",
    status: 429,
    headers: { "retry-after": httpDate(START + 300 * DAY * 1000) },
    held: true,
  },
  {
    name: "429 Retry-After: date in 2099",
    status: 429,
    headers: { "retry-after": httpDate(Date.UTC(2099, 0, 1)) },
    held: false,
  },
  // A provider's reset beyond two days is not believed: its header is dropped, the swarm goes on.
  {
    name: "429 x-ratelimit-reset: epoch +300 d",
    status: 429,
    headers: {
      "x-ratelimit-remaining": "0",
      "x-ratelimit-limit": "100",
      "x-ratelimit-reset": String(START / 1000 + 300 * DAY),
    },
    held: false,
  },
  {
    name: "200 x-ratelimit-reset: epoch ms +300 d",
    status: 200,
    headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(START + 300 * DAY * 1000) },
    held: false,
  },
  {
    name: "200 q=1;w=31536000, r=0;t=31536000",
    status: 200,
    headers: {
      "ratelimit-policy": '"fixed window";"inference";q=1;w=31536000',
      ratelimit: '"inference";r=0;t=31536000',
    },
    held: true,
  },
  {
    name: "200 q=1;w=31536000, r=0 (no t)",
    status: 200,
    headers: {
      "ratelimit-policy": '"fixed window";"inference";q=1;w=31536000',
      ratelimit: '"inference";r=0',
    },
    // The quota is believed (it throttles, never locks out); the window length is not.
    held: false,
    waitMs: WINDOW_MS,
  },
  { name: "429 RateLimit t=-5", status: 429, headers: { ratelimit: '"inference";r=0;t=-5' }, held: false },
  { name: "429 RateLimit t=NaN", status: 429, headers: { ratelimit: '"inference";r=0;t=NaN' }, held: false },
  {
    name: "429 RateLimit t=999999999999999",
    status: 429,
    headers: { ratelimit: '"inference";r=0;t=999999999999999' },
    held: false,
  },
  { name: "429 Retry-After: 1e308", status: 429, headers: { "retry-after": "1e308" }, held: false },
  { name: "429 Retry-After: -1", status: 429, headers: { "retry-after": "-1" }, held: false },
  {
    name: "429 garbage RateLimit",
    status: 429,
    headers: { ratelimit: ';;;==,"\\', "ratelimit-policy": "q=;w=,," },
    held: false,
  },
];

// What Hugging Face sends on every answer of a bucket.
const NORMAL = {
  "ratelimit-policy": '"fixed window";"inference";q=100;w=60',
  ratelimit: '"inference";r=99;t=60',
};

// The upstream: answers `hostile` while set, else a plain 200; counts every request and can
// hold the next one until the test lets it go.
let hostile: Row | undefined;
let hits = 0;
let arrived: (() => void) | undefined;
let gate: Promise<void> | undefined;
let server: Server;
let url: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  hits++;
  req.resume();
  const row = hostile;
  const answer = () => {
    if (row) res.writeHead(row.status, row.headers).end("hostile");
    else res.writeHead(200, NORMAL).end("ok");
  };
  const notify = arrived;
  arrived = undefined;
  notify?.();
  if (gate) void gate.then(answer);
  else answer();
}

beforeAll(async () => {
  server = createServer(handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});

function governed(clock: ManualClock): Governor {
  return createGovernor({
    clock,
    quotas: { inference: [{ limit: 100, windowMs: WINDOW_MS }] },
    retry: false,
    breaker: false,
    concurrency: false,
    // These 429s are about their headers: the rate learned from 429s that state nothing
    // (the garbage rows) has its own tests.
    upstream: { learnRate: false },
  });
}

const call = (governor: Governor, totalTimeoutMs?: number) =>
  governor.run(
    async ({ signal, observe }) => {
      const res = await fetch(url, { signal });
      observe({ status: res.status, headers: res.headers });
      await res.text();
      if (!res.ok) throw new UpstreamError(`HTTP ${res.status}`, res.status);
      return res.status;
    },
    totalTimeoutMs === undefined ? {} : { totalTimeoutMs },
  );

const waiting = (governor: Governor) => governor.stats().quota.inference?.waiting ?? 0;

describe("hostile rate-limit headers", () => {
  const figures: string[] = [];
  afterAll(() => {
    console.log(`hostile headers (window ${WINDOW_MS} ms, ceiling ${CEILING_MS} ms, swarm of ${SWARM}):`);
    for (const line of figures) console.log(line);
  });

  it.each(ROWS)("$name: recovers within its ceiling", async (row) => {
    const clock = new ManualClock(START);
    const governor = governed(clock);
    try {
      hostile = row;
      hits = 0;
      await call(governor).catch(() => {});
      expect(hits).toBe(1);
      hostile = undefined;
      const swarm = Array.from({ length: SWARM }, () => call(governor));
      if (!row.held) {
        // Ignored, or an ordinary wait shorter than the ceiling.
        const waitMs = row.waitMs ?? 0;
        if (waitMs > 0) {
          await clock.advance(waitMs - 1);
          expect(hits).toBe(1);
          await clock.advance(1);
        }
        await expect(Promise.all(swarm)).resolves.toEqual(Array(SWARM).fill(200));
        const what = waitMs > 0 ? "none needed" : "none (header ignored)";
        figures.push(`  ${row.name.padEnd(42)} ceiling: ${what}  recovered after ${clock.now() - START} ms`);
        return;
      }
      // A call whose deadline comes before the ceiling fails fast, typed, without a request.
      await expect(call(governor, 1_000)).rejects.toMatchObject({
        code: "throttled",
        message: expect.stringContaining("cut to its ceiling: one probe goes in 120000 ms"),
      });
      await clock.advance(CEILING_MS - 1);
      expect(hits).toBe(1);
      expect(waiting(governor)).toBe(SWARM);
      // At the ceiling exactly one probe goes; the others wait for its answer.
      let release!: () => void;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      const probe = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      await clock.advance(1);
      await probe;
      expect(hits).toBe(2);
      expect(waiting(governor)).toBe(SWARM - 1);
      gate = undefined;
      release();
      await expect(Promise.all(swarm)).resolves.toEqual(Array(SWARM).fill(200));
      expect(hits).toBe(1 + SWARM);
      const recovered = clock.now() - START;
      expect(recovered).toBe(CEILING_MS);
      figures.push(`  ${row.name.padEnd(42)} ceiling: ${CEILING_MS} ms  recovered after ${recovered} ms`);
    } finally {
      hostile = undefined;
      gate = undefined;
      await governor.close();
    }
  });

  it("through governedFetch (the Hugging Face adapter), a hostile 200 holds the swarm until the ceiling, then one probe", async () => {
    const clock = new ManualClock(START);
    const governor = governed(clock);
    const fetchGoverned = governedFetch(governor, { baseUrl: url });
    const chat = () =>
      fetchGoverned(`${url}v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "meta-llama/Llama-3.1-8B-Instruct", messages: [] }),
      }).then((res) => res.status);
    try {
      hostile = ROWS[0];
      hits = 0;
      expect(await chat()).toBe(200);
      hostile = undefined;
      const swarm = Array.from({ length: SWARM }, chat);
      await clock.advance(CEILING_MS - 1);
      expect(hits).toBe(1);
      const probe = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      await clock.advance(1);
      await probe;
      await expect(Promise.all(swarm)).resolves.toEqual(Array(SWARM).fill(200));
      expect(hits).toBe(1 + SWARM);
      figures.push(`  governedFetch, ${ROWS[0]!.name}: recovered after ${clock.now() - START} ms`);
    } finally {
      hostile = undefined;
      await governor.close();
    }
  });

  it("a probe answered by the same hostile 429 holds for one more ceiling, then the next probe re-opens the flow", async () => {
    const clock = new ManualClock(START);
    const governor = governed(clock);
    try {
      hostile = ROWS[2];
      hits = 0;
      await call(governor).catch(() => {});
      const swarm = Array.from({ length: SWARM }, () => call(governor).catch((e: unknown) => e));
      const firstProbe = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      await clock.advance(CEILING_MS);
      await firstProbe;
      // The probe's own call fails (429, no retry); the others are held again.
      await expect.poll(() => waiting(governor)).toBe(SWARM - 1);
      hostile = undefined;
      await clock.advance(CEILING_MS - 1);
      expect(hits).toBe(2);
      await clock.advance(1);
      const results = await Promise.all(swarm);
      expect(results.filter((r) => r === 200)).toHaveLength(SWARM - 1);
      expect(hits).toBe(1 + SWARM);
      figures.push(`  confirming 429 on the probe: held ${2 * CEILING_MS} ms in all, then recovered`);
    } finally {
      hostile = undefined;
      await governor.close();
    }
  });
});
