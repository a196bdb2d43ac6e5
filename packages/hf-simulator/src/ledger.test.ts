import { describe, expect, it } from "vitest";
import { ColdStarts } from "./cold-start.js";
import { CreditLedger, MONTH_MS } from "./credits.js";

describe("CreditLedger", () => {
  it("refuses once the allowance is spent and renews monthly", () => {
    const ledger = new CreditLedger(false);
    expect(ledger.canSpend("a", 0.1, 0)).toBe(true);
    ledger.charge("a", 0.1, 0);
    expect(ledger.canSpend("a", 0.1, 0)).toBe(false);
    expect(ledger.spent("a", 0)).toBeCloseTo(0.1);
    expect(ledger.canSpend("a", 0.1, MONTH_MS)).toBe(true);
  });

  it("lets pay-as-you-go go past the allowance", () => {
    const ledger = new CreditLedger(true);
    ledger.charge("a", 5, 0);
    expect(ledger.canSpend("a", 0.1, 0)).toBe(true);
  });
});

describe("ColdStarts", () => {
  it("loads on first use and after idling, warm in between", () => {
    const cold = new ColdStarts(60_000, 20_000);
    expect(cold.touch("m", 0)).toEqual({ kind: "loading", remainingMs: 20_000 });
    expect(cold.touch("m", 5_000)).toEqual({ kind: "loading", remainingMs: 15_000 });
    expect(cold.touch("m", 20_000)).toEqual({ kind: "warm" });
    expect(cold.touch("m", 70_000)).toEqual({ kind: "warm" });
    expect(cold.touch("m", 140_000)).toEqual({ kind: "loading", remainingMs: 20_000 });
  });
});
