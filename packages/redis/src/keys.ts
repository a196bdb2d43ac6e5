// Every key of one quota scope shares the hash tag `{prefix:scope}`, so that Redis Cluster
// puts them in one slot and a Lua script may touch all of them atomically.

// Names chosen by users may contain the separator or braces; percent-encoding keeps two
// different names from ever mapping to one key and keeps the hash tag intact.
const part = (value: string): string => encodeURIComponent(value);

/** Key names of one scope. */
export class ScopeKeys {
  readonly tag: string;

  constructor(prefix: string, scope: string) {
    this.tag = `{${part(prefix)}:${part(scope)}}`;
  }

  /** The state hash of one window (used, reset, tokens, block, corrected quota). */
  window(requestClass: string, name: string): string {
    return `${this.tag}:w:${part(requestClass)}:${part(name)}`;
  }

  /** The admission log (sorted set) of a sliding window. */
  windowLog(requestClass: string, name: string): string {
    return `${this.window(requestClass, name)}:log`;
  }

  /** Concurrency leases: a sorted set of lease ids scored by expiry. */
  slots(): string {
    return `${this.tag}:slots`;
  }

  /** The credit ledger of one period (`"2026-11"`). */
  ledger(period: string): string {
    return `${this.tag}:ledger:${part(period)}`;
  }

  /** A shared breaker's state hash. */
  breaker(key: string): string {
    return `${this.tag}:breaker:${part(key)}`;
  }

  /** The half-open probe lock of a shared breaker. */
  probe(key: string): string {
    return `${this.breaker(key)}:probe`;
  }
}
