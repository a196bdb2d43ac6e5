// A breaker shared by every process of a scope. KEYS[1] is its state hash (`until`: the
// Redis time at which the open period ends), KEYS[2] the half-open probe lock. The state
// outlives `until` by a grace period: after `until` and before someone closes it, the
// breaker is half-open everywhere and only the holder of the probe lock may call.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Returns `{ until (0 = closed), redisNow }`. */
export const BREAKER_READ = `${NOW}
local u = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
return { u, now }
`;

/**
 * ARGV: openForMs, graceMs. Opens until `now + openForMs`, or keeps a later end that
 * another process set; frees the probe lock (a failed probe re-opens the breaker).
 * Returns `{ until, redisNow }`.
 */
export const BREAKER_OPEN = `${NOW}
local u = now + tonumber(ARGV[1])
local prev = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if prev > u then u = prev end
redis.call('HSET', KEYS[1], 'until', u)
redis.call('PEXPIRE', KEYS[1], math.max(1, u - now) + tonumber(ARGV[2]))
redis.call('DEL', KEYS[2])
return { u, now }
`;

/** Closes the breaker everywhere (a probe succeeded). */
export const BREAKER_CLOSE = `
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`;

/**
 * ARGV: lockMs, token. 1 when this caller may go: the breaker is closed, or half-open and
 * the probe lock was free (it is now this caller's for `lockMs`). 0 while open, or while
 * another process holds the probe.
 */
export const BREAKER_PROBE = `${NOW}
local u = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if u == 0 then return 1 end
if u > now then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then return 1 end
return 0
`;
