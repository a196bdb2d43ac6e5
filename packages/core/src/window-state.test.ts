import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryStore } from "./memory-store.js";
import { WindowState } from "./window-state.js";

const fixed = (limit: number, windowMs = 1_000) =>
  new WindowState({ name: "w", limit, windowMs, kind: "fixed" });
const sliding = (limit: number, windowMs = 1_000) =>
  new WindowState({ name: "w", limit, windowMs, kind: "sliding" });

function admit(window: WindowState, now: number, count = 1): boolean {
  if (window.waitFor(count, now) > 0) return false;
  window.take(count, now);
  return true;
}

describe("WindowState fixed", () => {
  it("admits `limit` per window, then says how long until the reset", () => {
    const w = fixed(3);
    expect([admit(w, 0), admit(w, 10), admit(w, 20), admit(w, 30)]).toEqual([true, true, true, false]);
    expect(w.waitFor(1, 30)).toBe(970);
    expect(admit(w, 1_000)).toBe(true);
    expect(w.remaining(1_000)).toBe(2);
  });

  it("adopts the server's boundary and count when its reset differs from ours", () => {
    const w = fixed(100, 300_000);
    admit(w, 0);
    // The server's window started earlier: 40 left, resetting in 55 s.
    w.correct({ remaining: 40, resetMs: 55_000 }, 1_000);
    expect(w.remaining(1_000)).toBe(40);
    expect(w.snapshot(1_000).resetAt).toBe(56_000);
    // The next window follows the server's boundaries: 56 s + 300 s.
    expect(w.remaining(56_000)).toBe(100);
    expect(w.snapshot(56_000).resetAt).toBe(356_000);
  });

  it("keeps the more cautious count when the boundaries agree", () => {
    const w = fixed(100, 300_000);
    for (let i = 0; i < 30; i++) admit(w, 0);
    w.correct({ remaining: 90, resetMs: 299_900 }, 100);
    expect(w.remaining(100)).toBe(70);
    w.correct({ remaining: 10, resetMs: 299_800 }, 200);
    expect(w.remaining(200)).toBe(10);
  });

  it("takes the server's quota when the configured one is wrong, in either direction", () => {
    const tooHigh = fixed(1_000, 300_000);
    tooHigh.correct({ remaining: 499, resetMs: 300_000, quota: 500, windowMs: 300_000 }, 0);
    expect(tooHigh.limit).toBe(500);
    expect(tooHigh.remaining(0)).toBe(499);
    const tooLow = fixed(100, 300_000);
    tooLow.correct({ remaining: 2_400, resetMs: 300_000, quota: 2_500, windowMs: 300_000 }, 0);
    expect(tooLow.remaining(0)).toBe(2_400);
  });

  it("admits nothing after a 429 until the reset the server gave", () => {
    const w = fixed(100, 300_000);
    admit(w, 0);
    w.correct({ exhausted: true, resetMs: 55_000 }, 1_000);
    expect(w.waitFor(1, 1_000)).toBe(55_000);
    expect(w.remaining(30_000)).toBe(0);
    expect(admit(w, 56_000)).toBe(true);
    expect(w.remaining(56_000)).toBe(99);
  });

  it("never admits a request larger than the window", () => {
    expect(fixed(3).waitFor(4, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("WindowState sliding", () => {
  it("frees a permit exactly one window after it was taken", () => {
    const w = sliding(2, 1_000);
    expect([admit(w, 0), admit(w, 400), admit(w, 500)]).toEqual([true, true, false]);
    expect(w.waitFor(1, 500)).toBe(500);
    expect(admit(w, 1_000)).toBe(true);
    expect(w.waitFor(1, 1_000)).toBe(400);
  });

  it("keeps the newest admissions when the server shrinks the quota", () => {
    const w = sliding(4, 1_000);
    for (const t of [0, 100, 200, 300]) admit(w, t);
    w.correct({ quota: 2 }, 300);
    expect(w.waitFor(1, 300)).toBe(900); // the one taken at 200 leaves at 1,200
  });
});

describe("WindowState smoothing", () => {
  it("lets a burst through, then paces at the window's average rate", () => {
    const w = new WindowState({
      name: "w",
      limit: 600,
      windowMs: 60_000,
      kind: "fixed",
      smoothing: { burst: 5 },
    });
    for (let i = 0; i < 5; i++) expect(admit(w, 0)).toBe(true);
    expect(admit(w, 0)).toBe(false);
    expect(w.waitFor(1, 0)).toBe(100); // 600 per minute = one per 100 ms
    expect(admit(w, 100)).toBe(true);
  });
});

// The invariant the whole product rests on: whatever the arrival pattern and whatever the
// server says in between, a window never admits more than its limit.
describe("window invariants (property)", () => {
  const arrivals = fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 3 })), {
    minLength: 1,
    maxLength: 300,
  });

  it("a sliding window admits at most `limit` in any interval of `windowMs`", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 10, max: 2_000 }),
        arrivals,
        (limit, windowMs, steps) => {
          const w = sliding(limit, windowMs);
          const admitted: number[] = [];
          let now = 0;
          for (const [gap, count] of steps) {
            now += gap;
            if (admit(w, now, count)) for (let i = 0; i < count; i++) admitted.push(now);
          }
          for (let i = 0; i < admitted.length; i++) {
            let inWindow = 0;
            for (let j = i; j < admitted.length && admitted[j]! < admitted[i]! + windowMs; j++) inWindow++;
            if (inWindow > limit) return false;
          }
          return true;
        },
      ),
    );
  });

  it("a fixed window admits at most `limit` between two resets, with server corrections in between", () => {
    const correction = fc.option(
      fc.record({ remaining: fc.integer({ min: 0, max: 30 }), resetMs: fc.integer({ min: 0, max: 3_000 }) }),
      { freq: 5 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 3 }), correction), {
          minLength: 1,
          maxLength: 300,
        }),
        (limit, steps) => {
          const w = fixed(limit, 1_000);
          let now = 0;
          let resetAt = Number.NaN;
          let admittedInWindow = 0;
          for (const [gap, count, fix] of steps) {
            now += gap;
            if (fix) w.correct(fix, now);
            const ok = admit(w, now, count);
            const currentReset = w.snapshot(now).resetAt;
            if (currentReset !== resetAt) {
              resetAt = currentReset;
              admittedInWindow = 0;
            }
            if (ok) admittedInWindow += count;
            if (admittedInWindow > limit) return false;
          }
          return true;
        },
      ),
    );
  });

  it("a group takes from every window or from none", () => {
    const group = memoryStore().windows("s", "api", [
      { name: "burst", limit: 2, windowMs: 1_000, kind: "fixed" },
      { name: "5m", limit: 3, windowMs: 300_000, kind: "fixed" },
    ]);
    const decisions = [0, 1, 2, 1_000, 1_001].map((t) => group.tryAcquire(1, t));
    expect(decisions.map((d) => "ok" in d && d.ok)).toEqual([true, true, false, true, false]);
    expect(decisions[2]).toMatchObject({ blockedBy: "burst", waitMs: 998 });
    expect(decisions[4]).toMatchObject({ blockedBy: "5m", remaining: 0 });
  });
});
