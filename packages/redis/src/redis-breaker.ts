import { randomUUID } from "node:crypto";
import type { SharedBreaker } from "@swarmgate/core";
import type { ScriptClient } from "./commands.js";
import type { FallbackSwitch } from "./fallback.js";

/** What a {@link RedisBreaker} shares with its store. */
export interface BreakerContext {
  readonly client: ScriptClient;
  readonly link: FallbackSwitch;
  readonly probeLockMs: number;
}

// After its open period a breaker stays half-open this long unless someone closes it (or
// opens it again); past that, with nobody left to probe, it is forgotten (closed).
const HALF_OPEN_GRACE_MS = 10 * 60_000;

/**
 * One breaker's state shared through Redis: when one process opens it, it is open for all
 * until the same instant (Redis time, converted to each caller's clock); in half-open, one
 * process at a time holds the probe lock. While Redis is unreachable the same state machine
 * runs locally, for this process alone.
 */
export class RedisBreaker implements SharedBreaker {
  readonly #ctx: BreakerContext;
  readonly #state: string;
  readonly #probe: string;
  readonly #token = randomUUID();
  // The local mirror: what the fallback answers, and the last state Redis told us.
  #until = 0;
  #probeUntil = 0;

  constructor(ctx: BreakerContext, stateKey: string, probeKey: string) {
    this.#ctx = ctx;
    this.#state = stateKey;
    this.#probe = probeKey;
  }

  /** Epoch ms (caller's clock) at which the open period ends; 0 when closed. In the past: half-open. */
  openUntil(now: number): Promise<number> {
    return this.#ctx.link.call(
      async () => {
        const [until, redisNow] = (await this.#ctx.client.swarmgateBreakerRead(this.#state, this.#probe)).map(
          Number,
        );
        this.#until = until! > 0 ? until! - redisNow! + now : 0;
        return this.#until;
      },
      () => this.#until,
    );
  }

  async open(untilMs: number, now: number): Promise<void> {
    const openForMs = Math.max(0, Math.ceil(untilMs - now));
    this.#until = Math.max(this.#until, untilMs);
    this.#probeUntil = 0;
    await this.#ctx.link.call(
      async () => {
        const [until, redisNow] = (
          await this.#ctx.client.swarmgateBreakerOpen(this.#state, this.#probe, openForMs, HALF_OPEN_GRACE_MS)
        ).map(Number);
        this.#until = until! - redisNow! + now;
      },
      () => undefined,
    );
  }

  async close(_now: number): Promise<void> {
    this.#until = 0;
    this.#probeUntil = 0;
    await this.#ctx.link.call(
      () => this.#ctx.client.swarmgateBreakerClose(this.#state, this.#probe),
      () => 0,
    );
  }

  tryProbe(now: number): Promise<boolean> {
    return this.#ctx.link.call(
      async () =>
        (await this.#ctx.client.swarmgateBreakerProbe(
          this.#state,
          this.#probe,
          this.#ctx.probeLockMs,
          this.#token,
        )) === 1,
      () => {
        if (this.#until === 0) return true;
        if (now < this.#until || now < this.#probeUntil) return false;
        this.#probeUntil = now + this.#ctx.probeLockMs;
        return true;
      },
    );
  }
}
