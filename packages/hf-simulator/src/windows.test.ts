import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QuotaWindows } from "./windows.js";

const W = 300_000;

describe("QuotaWindows (fixed)", () => {
  it("admits quota requests, then refuses until the window resets", () => {
    const windows = new QuotaWindows({ windowMs: W, mode: "fixed" });
    for (let i = 0; i < 3; i++) expect(windows.tryAdmit("k", 3, 1000).admitted).toBe(true);
    const refused = windows.tryAdmit("k", 3, 245_000);
    expect(refused).toEqual({
      admitted: false,
      remaining: 0,
      resetSeconds: 55,
      quota: 3,
      windowSeconds: 300,
    });
    const next = windows.tryAdmit("k", 3, W);
    expect(next).toMatchObject({ admitted: true, remaining: 2, resetSeconds: 300 });
  });

  it("keeps keys apart and peeks without admitting", () => {
    const windows = new QuotaWindows({ windowMs: W, mode: "fixed" });
    windows.tryAdmit("a", 1, 0);
    expect(windows.peek("b", 1, 0)).toMatchObject({ remaining: 1 });
    expect(windows.peek("b", 1, 0)).toMatchObject({ remaining: 1 });
    expect(windows.tryAdmit("a", 1, 0).admitted).toBe(false);
  });

  it("reports t rounded up to whole seconds", () => {
    const windows = new QuotaWindows({ windowMs: W, mode: "fixed" });
    expect(windows.peek("k", 1, W - 1).resetSeconds).toBe(1);
    expect(windows.peek("k", 1, W - 1001).resetSeconds).toBe(2);
  });
});

describe("QuotaWindows (rolling)", () => {
  it("frees a slot when the oldest admission leaves the trailing window", () => {
    const windows = new QuotaWindows({ windowMs: 10_000, mode: "rolling" });
    expect(windows.tryAdmit("k", 2, 0).admitted).toBe(true);
    expect(windows.tryAdmit("k", 2, 4_000).admitted).toBe(true);
    expect(windows.tryAdmit("k", 2, 6_000)).toMatchObject({ admitted: false, remaining: 0, resetSeconds: 4 });
    expect(windows.tryAdmit("k", 2, 10_000)).toMatchObject({ admitted: true, remaining: 0, resetSeconds: 4 });
    expect(windows.tryAdmit("k", 2, 13_000).admitted).toBe(false);
    expect(windows.tryAdmit("k", 2, 14_000).admitted).toBe(true);
  });
});

describe("QuotaWindows (property)", () => {
  const arrivals = fc
    .array(fc.nat({ max: 3 * W }), { minLength: 1, maxLength: 300 })
    .map((a) => a.sort((x, y) => x - y));

  it("never admits more than the quota in any fixed window", () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 0, max: 20 }), (times, quota) => {
        const windows = new QuotaWindows({ windowMs: W, mode: "fixed" });
        const perWindow = new Map<number, number>();
        for (const t of times)
          if (windows.tryAdmit("k", quota, t).admitted) {
            const index = Math.floor(t / W);
            perWindow.set(index, (perWindow.get(index) ?? 0) + 1);
          }
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(quota);
        expect(windows.overQuota()).toBe(false);
      }),
    );
  });

  it("never admits more than the quota in any trailing window (rolling)", () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 0, max: 20 }), (times, quota) => {
        const windows = new QuotaWindows({ windowMs: W, mode: "rolling" });
        const admitted = times.filter((t) => windows.tryAdmit("k", quota, t).admitted);
        for (const t of admitted) {
          const inWindow = admitted.filter((u) => u > t - W && u <= t).length;
          expect(inWindow).toBeLessThanOrEqual(quota);
        }
        expect(windows.overQuota()).toBe(false);
      }),
    );
  });
});
