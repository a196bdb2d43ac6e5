import type { Cluster, Redis } from "ioredis";
import { BREAKER_CLOSE, BREAKER_OPEN, BREAKER_PROBE, BREAKER_READ } from "./lua/breaker-scripts.js";
import { LEDGER_RESERVE, LEDGER_SETTLE } from "./lua/ledger-scripts.js";
import { REPLAY } from "./lua/replay-script.js";
import { SLOT_ACQUIRE, SLOT_RENEW } from "./lua/slot-scripts.js";
import { ACQUIRE, ADJUST, CORRECT, SNAPSHOT } from "./lua/window-scripts.js";

type Arg = string | number;

/** The store's scripts as commands of an ioredis client (EVALSHA, reloaded on NOSCRIPT). */
export interface ScriptCommands {
  swarmgateAcquire(numKeys: number, ...args: Arg[]): Promise<number[]>;
  swarmgateCorrect(numKeys: number, ...args: Arg[]): Promise<number>;
  swarmgateAdjust(numKeys: number, ...args: Arg[]): Promise<number>;
  swarmgateSnapshot(numKeys: number, ...args: Arg[]): Promise<number[]>;
  swarmgateReplay(numKeys: number, ...args: Arg[]): Promise<number[]>;
  swarmgateSlotAcquire(
    key: string,
    limit: number,
    ttlMs: number,
    lease: string,
    deadline: number,
  ): Promise<number>;
  swarmgateSlotRenew(key: string, ttlMs: number, ...leases: string[]): Promise<string[]>;
  swarmgateLedgerReserve(
    key: string,
    amount: number,
    limit: number,
    ttlMs: number,
  ): Promise<[number, string, string]>;
  swarmgateLedgerSettle(key: string, reserved: number, actual: number, ttlMs: number): Promise<number>;
  swarmgateBreakerRead(state: string, probe: string): Promise<[number, number]>;
  swarmgateBreakerOpen(
    state: string,
    probe: string,
    openForMs: number,
    graceMs: number,
  ): Promise<[number, number]>;
  swarmgateBreakerClose(state: string, probe: string): Promise<number>;
  swarmgateBreakerProbe(state: string, probe: string, lockMs: number, token: string): Promise<number>;
}

/** A client with the store's scripts defined. */
export type ScriptClient = (Redis | Cluster) & ScriptCommands;

/**
 * Defines every script on `client` with ioredis's `defineCommand`, which sends EVALSHA and
 * falls back to EVAL when the server answers NOSCRIPT (after a restart or a failover, the
 * script cache is empty). Window scripts take a variable number of keys; the others a fixed one.
 */
export function defineScripts(client: Redis | Cluster): ScriptClient {
  const define = (name: keyof ScriptCommands, lua: string, numberOfKeys?: number) =>
    client.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
  define("swarmgateAcquire", ACQUIRE);
  define("swarmgateCorrect", CORRECT);
  define("swarmgateAdjust", ADJUST);
  define("swarmgateSnapshot", SNAPSHOT);
  define("swarmgateReplay", REPLAY);
  define("swarmgateSlotAcquire", SLOT_ACQUIRE, 1);
  define("swarmgateSlotRenew", SLOT_RENEW, 1);
  define("swarmgateLedgerReserve", LEDGER_RESERVE, 1);
  define("swarmgateLedgerSettle", LEDGER_SETTLE, 1);
  define("swarmgateBreakerRead", BREAKER_READ, 2);
  define("swarmgateBreakerOpen", BREAKER_OPEN, 2);
  define("swarmgateBreakerClose", BREAKER_CLOSE, 2);
  define("swarmgateBreakerProbe", BREAKER_PROBE, 2);
  return client as ScriptClient;
}
