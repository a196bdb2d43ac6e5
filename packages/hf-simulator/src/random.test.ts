import { describe, expect, it } from "vitest";
import { createRandom, hashString } from "./random.js";

describe("createRandom", () => {
  it("replays the same sequence for the same seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(createRandom(43).next()).not.toBe(seqA[0]);
  });

  it("stays in [0, 1) and draws finite normals", () => {
    const random = createRandom(7);
    for (let i = 0; i < 10_000; i++) {
      const x = random.next();
      expect(x >= 0 && x < 1).toBe(true);
      expect(Number.isFinite(random.normal())).toBe(true);
    }
  });

  it("treats chance(0) and chance(1) as certain without drawing", () => {
    const a = createRandom(1);
    const b = createRandom(1);
    expect(a.chance(0)).toBe(false);
    expect(a.chance(1)).toBe(true);
    expect(a.next()).toBe(b.next());
  });

  it("makes hex ids of the asked length", () => {
    expect(createRandom(3).hex(24)).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe("hashString", () => {
  it("is stable and spreads", () => {
    expect(hashString("abc")).toBe(hashString("abc"));
    expect(hashString("abc")).not.toBe(hashString("abd"));
  });
});
