// Concurrency leases: one sorted set per scope, members are lease ids, scores the Redis time
// at which each lease expires. A process that dies stops renewing its leases, so they
// expire and free their slots without anyone having to notice the death.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] leases; ARGV: limit, ttlMs, leaseId, deadline. Purges expired leases, then adds
 * this one if fewer than `limit` are held. Returns 1 when the lease was granted, else 0.
 * `deadline` (Redis time, 0 = none) is when the caller stops waiting: a command run later
 * (queued behind a hang) takes no slot that nobody would ever release.
 */
export const SLOT_ACQUIRE = `${NOW}
local deadline = tonumber(ARGV[4] or '0')
if deadline > 0 and now > deadline then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1
`;

/**
 * KEYS[1] leases; ARGV: ttlMs, leaseId… Pushes the expiry of each lease that still exists
 * (XX: an expired and purged lease stays gone, its slot may already be someone else's).
 * Returns the ids that were lost.
 */
export const SLOT_RENEW = `${NOW}
local ttl = tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) > now then
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
  else
    if score then redis.call('ZREM', KEYS[1], ARGV[i]) end
    table.insert(lost, ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return lost
`;
