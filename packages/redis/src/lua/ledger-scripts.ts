// The credit ledger: one hash per scope and calendar month with `spent` and `reserved`
// (USD, as decimal strings: Redis would truncate a Lua number to an integer). The key lives
// long past its month, so restarts and redeploys keep the month's spending.

/**
 * KEYS[1] the month's hash; ARGV: amountUsd, limitUsd, ttlMs. Reserves when
 * `spent + reserved + amount ≤ limit` (the same 1e-12 tolerance as core's memory ledger).
 * Returns `{ ok, spent, reserved }` with the amounts as strings.
 */
export const LEDGER_RESERVE = `
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
local amount, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local ok = 0
if spent + reserved + amount <= limit + 1e-12 then
  reserved = reserved + amount
  redis.call('HSET', KEYS[1], 'reserved', string.format('%.17g', reserved))
  ok = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return { ok, string.format('%.17g', spent), string.format('%.17g', reserved) }
`;

/**
 * KEYS[1] the month's hash; ARGV: reservedUsd, actualUsd, ttlMs. Replaces a reservation
 * with what the call cost; `reserved` never goes below zero.
 */
export const LEDGER_SETTLE = `
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
reserved = math.max(0, reserved - tonumber(ARGV[1]))
spent = spent + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'spent', string.format('%.17g', spent), 'reserved', string.format('%.17g', reserved))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;
