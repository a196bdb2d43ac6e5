import { describe, expect, it } from "vitest";
import { HubLookupCoalescer } from "./hub-lookup-coalescer.js";

describe("HubLookupCoalescer", () => {
  it("shares one in-flight request among identical ones and gives each its own readable Response", async () => {
    const coalescer = new HubLookupCoalescer();
    let sent = 0;
    const request = async () => {
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return Response.json({ mapping: sent }, { headers: { "x-request-id": "r1" } });
    };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => coalescer.run("GET /api/models/m", request)),
    );
    expect(sent).toBe(1);
    expect(coalescer.shared).toBe(49);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { mapping: number }[];
    expect(bodies.every((b) => b.mapping === 1)).toBe(true);
    expect(answers[7]?.headers.get("x-request-id")).toBe("r1");
    // Once settled, the next call asks again (the client caches the mapping itself).
    await coalescer.run("GET /api/models/m", request);
    expect(sent).toBe(2);
  });

  it("lets one waiter give up without failing the others, and shares failures", async () => {
    const coalescer = new HubLookupCoalescer();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const request = async () => {
      await gate;
      return new Response("ok");
    };
    const controller = new AbortController();
    const first = coalescer.run("k", request);
    const second = coalescer.run("k", request, controller.signal);
    controller.abort(new Error("gave up"));
    await expect(second).rejects.toThrow("gave up");
    release();
    await expect((await first).text()).resolves.toBe("ok");
    const failing = () => Promise.reject(new Error("boom"));
    await expect(Promise.all([coalescer.run("f", failing), coalescer.run("f", failing)])).rejects.toThrow(
      "boom",
    );
  });
});
