// The example of docs/governor.md, "Write your own policy", as written there.
import { createGovernor, ManualClock, type Policy } from "@swarmgate/core";
import { expect, it } from "vitest";

/** Starts no two attempts of one agent less than `ms` apart: a runaway agent loop slows itself, nobody else. */
export function agentSpacing(ms: number): Policy {
  const nextStart = new Map<string, number>();
  return {
    name: "agent-spacing",
    async execute(ctx, next) {
      const agent = ctx.info.agent;
      if (agent === undefined) return next(ctx);
      const now = ctx.now();
      const at = Math.max(now, nextStart.get(agent) ?? now);
      nextStart.set(agent, at + ms);
      if (at > now) {
        ctx.reporter.throttled("local_window", at - now); // stats, metrics and the span see the wait
        await ctx.sleep(at - now); // on the governor's clock; wakes early if the call is cancelled
        if (ctx.settled) throw ctx.cancelReason;
      }
      return next(ctx);
    },
    close: () => nextStart.clear(),
  };
}

it("spaces one agent's attempts, and only that agent's", async () => {
  const clock = new ManualClock(0);
  const governor = createGovernor({
    clock,
    breaker: false,
    concurrency: false,
    // Between retry and the rest: every attempt is spaced, retries included.
    policies: ([budgetOrRetry, ...rest]) => [budgetOrRetry!, agentSpacing(1_000), ...rest],
  });
  const starts: string[] = [];
  const calls = ["a", "a", "b", "a"].map((agent) =>
    governor.run(() => starts.push(`${agent}@${clock.now()}`), { agent }),
  );
  await clock.runAll();
  await Promise.all(calls);
  expect(starts).toEqual(["a@0", "b@0", "a@1000", "a@2000"]);
  expect(governor.stats().throttles.local_window).toBe(2);
  await governor.close();
});
