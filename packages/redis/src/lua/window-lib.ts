/**
 * Lua shared by the window scripts: it loads, advances and saves the state of each window
 * exactly as core's `WindowState` does in memory, so that a group behaves the same whether
 * one process holds it or Redis does.
 *
 * Calling convention of every window script:
 * - `KEYS[2i-1]` the state hash of window i, `KEYS[2i]` its admission log (sliding only);
 * - `ARGV[1]` the number of windows n, then 4 values per window from `ARGV[2]`:
 *   configured limit, windowMs, `1` for sliding, burst (`0` = no smoothing);
 * - the script's own arguments follow, from `ARGV[2 + 4n]`.
 *
 * Time is Redis's (`TIME`), never the caller's: machines whose clocks disagree still share
 * one set of window boundaries. Fields absent from a hash mean "never set" (the in-memory
 * state's -Infinity / NaN), so a fresh key needs no initialisation.
 */
export const WINDOW_LIB = `
local function ms_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function num(v) if v == false or v == nil or v == '' then return nil end return tonumber(v) end
local function str(x) return string.format('%.17g', x) end

local function load_windows()
  local n = tonumber(ARGV[1])
  local ws = {}
  for i = 1, n do
    local a = 2 + (i - 1) * 4
    local key, log = KEYS[2 * i - 1], KEYS[2 * i]
    local h = redis.call('HMGET', key, 'limit', 'windowMs', 'used', 'resetAt', 'tokens', 'refilledAt', 'blockedUntil')
    local burst = tonumber(ARGV[a + 3])
    if burst <= 0 then burst = nil end
    local w = {
      key = key, log = log, sliding = ARGV[a + 2] == '1', burst = burst,
      -- a corrected quota or window length (from the server's headers) wins over the configured one
      limit = num(h[1]) or tonumber(ARGV[a]), windowMs = num(h[2]) or tonumber(ARGV[a + 1]),
      limitSet = num(h[1]) ~= nil, windowSet = num(h[2]) ~= nil,
      used = num(h[3]) or 0, resetAt = num(h[4]), refilledAt = num(h[6]), blockedUntil = num(h[7]),
    }
    w.tokens = num(h[5]) or burst or 0
    ws[i] = w
  end
  return ws, 2 + n * 4
end

-- fixed: the next window starts a multiple of windowMs after the last (server-aligned) boundary
local function roll(w, now)
  if w.resetAt ~= nil and now < w.resetAt then return end
  if w.resetAt ~= nil then
    w.resetAt = w.resetAt + math.ceil((now - w.resetAt + 1) / w.windowMs) * w.windowMs
  else
    w.resetAt = now + w.windowMs
  end
  w.used = 0
end

-- sliding: admissions older than one window leave the log
local function expire(w, now)
  redis.call('ZREMRANGEBYSCORE', w.log, '-inf', now - w.windowMs)
  w.size = redis.call('ZCARD', w.log)
end

local function refill(w, now)
  if w.refilledAt == nil then w.refilledAt = now end
  local elapsed = now - w.refilledAt
  if elapsed <= 0 then return end
  w.tokens = math.min(w.burst, w.tokens + elapsed * w.limit / w.windowMs)
  w.refilledAt = now
end

local function advance(w, now)
  if w.sliding then expire(w, now) else roll(w, now) end
  if w.burst ~= nil then refill(w, now) end
end

local function blocked(w, now) return w.blockedUntil ~= nil and now < w.blockedUntil end

-- permits this window can grant right now
local function free(w, now)
  if blocked(w, now) then return 0 end
  local f = w.limit - (w.sliding and w.size or w.used)
  if w.burst ~= nil then f = math.min(f, math.floor(w.tokens + 1e-9)) end
  return math.max(0, f)
end

-- milliseconds until count permits are free (-1 = never), as WindowState.waitFor
local function wait_for(w, count, now)
  if blocked(w, now) then return w.blockedUntil - now end
  if count > w.limit then return -1 end
  local wait = 0
  if not w.sliding then
    if w.used + count > w.limit then wait = w.resetAt - now end
  elseif w.size + count > w.limit then
    -- the (count - free)-th oldest admission must leave the window first
    local must = w.size + count - w.limit
    local entry = redis.call('ZRANGE', w.log, must - 1, must - 1, 'WITHSCORES')
    wait = math.max(0, tonumber(entry[2]) + w.windowMs - now)
  end
  if w.burst ~= nil and w.tokens < count then
    if count > w.burst then return -1 end
    wait = math.max(wait, math.ceil((count - w.tokens) * w.windowMs / w.limit))
  end
  return wait
end

-- takes count permits; sliding admissions are logged at 'stamp' (>= now, see acquire)
local function take(w, count, stamp)
  if count <= 0 then return end
  if w.sliding then
    local seq = redis.call('HINCRBY', w.key, 'seq', count)
    for j = 1, count do redis.call('ZADD', w.log, stamp, tostring(seq - count + j)) end
    w.size = w.size + count
  else
    w.used = w.used + count
  end
  if w.burst ~= nil then w.tokens = w.tokens - count end
end

local function remaining(w, now)
  if blocked(w, now) then return 0 end
  return math.max(0, w.limit - (w.sliding and w.size or w.used))
end

-- what a fallback needs to start from this window's state: limit, windowMs, remaining, resetAt, blockedUntil
local function append_state(out, w, now)
  table.insert(out, w.limit)
  table.insert(out, w.windowMs)
  table.insert(out, remaining(w, now))
  table.insert(out, (not w.sliding and w.resetAt ~= nil) and math.ceil(w.resetAt) or -1)
  table.insert(out, blocked(w, now) and math.ceil(w.blockedUntil) or -1)
end

-- keys outlive what they remember (a reset, a block, a log) by one window, then vanish
local function save(w, now, extraMs)
  local fields = { 'used', str(w.used) }
  if w.resetAt ~= nil then table.insert(fields, 'resetAt'); table.insert(fields, str(w.resetAt)) end
  if w.burst ~= nil then
    table.insert(fields, 'tokens'); table.insert(fields, str(w.tokens))
    if w.refilledAt ~= nil then table.insert(fields, 'refilledAt'); table.insert(fields, str(w.refilledAt)) end
  end
  if w.blockedUntil ~= nil then table.insert(fields, 'blockedUntil'); table.insert(fields, str(w.blockedUntil)) end
  if w.limitSet then table.insert(fields, 'limit'); table.insert(fields, str(w.limit)) end
  if w.windowSet then table.insert(fields, 'windowMs'); table.insert(fields, str(w.windowMs)) end
  redis.call('HSET', w.key, unpack(fields))
  local horizon = now + w.windowMs
  if w.resetAt ~= nil and w.resetAt > horizon then horizon = w.resetAt end
  if w.blockedUntil ~= nil and w.blockedUntil > horizon then horizon = w.blockedUntil end
  local ttl = math.ceil(horizon - now + w.windowMs + (extraMs or 0))
  redis.call('PEXPIRE', w.key, ttl)
  if w.sliding then redis.call('PEXPIRE', w.log, ttl) end
end
`;
