import { WINDOW_LIB } from "./window-lib.js";

/**
 * Takes between `min` and `want` permits from every window of a group, or none: the most
 * that every window can grant right now, all-or-nothing across windows like core's
 * `MemoryWindowGroup.tryAcquire`. Granting more than one is how a process reserves permits
 * for several callers in one round trip.
 *
 * Own ARGV: want, min, stampOffsetMs, deadline. Sliding admissions are logged `stampOffsetMs`
 * in the future when the caller may hand permits out that much later (prefetch): the log then
 * over-counts, never under-counts, the admissions inside any interval. `deadline` (Redis
 * time, 0 = none) is when the caller stops waiting for the answer: a command Redis runs
 * later (queued behind a hang, run after it) takes nothing, since its caller has already
 * been answered by the fallback.
 *
 * Returns `{ granted, waitMs (-1 = never), remaining, blockedBy (1-based, 0 = none),
 * redisNow, earliestReset (-1 = none), expired (1/0) }`, then 5 values per window (limit,
 * windowMs, remaining, resetAt, blockedUntil; -1 = none): what the local fallback starts
 * from if Redis goes away. Every value an integer because Redis truncates Lua numbers. The
 * first window's `liveAt` records the last decision, for {@link REPLAY}.
 */
export const ACQUIRE = `${WINDOW_LIB}
local now = ms_now()
local ws, a = load_windows()
local want, min, stampOffset = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
local deadline = tonumber(ARGV[a + 3])
if deadline > 0 and now > deadline then return { 0, 0, 0, 0, now, -1, 1 } end
local grant = want
for _, w in ipairs(ws) do
  advance(w, now)
  grant = math.min(grant, free(w, now))
end
if grant < min then grant = 0 end
for _, w in ipairs(ws) do take(w, grant, now + stampOffset) end
-- the wait of whoever is still unserved: all of min when nothing was granted, else one more
local wait, blockedBy = 0, 0
if grant < want then
  local next = grant == 0 and min or 1
  for i, w in ipairs(ws) do
    local wi = wait_for(w, next, now)
    if wi < 0 then wait, blockedBy = -1, i break end
    if wi > wait then wait, blockedBy = wi, i end
  end
end
local left, earliestReset = -1, -1
for _, w in ipairs(ws) do
  local r = remaining(w, now)
  if left < 0 or r < left then left = r end
  if not w.sliding and (earliestReset < 0 or w.resetAt < earliestReset) then earliestReset = w.resetAt end
  save(w, now, stampOffset)
end
redis.call('HSET', ws[1].key, 'liveAt', now)
local out = { grant, math.ceil(wait), left, blockedBy, now, earliestReset, 0 }
for _, w in ipairs(ws) do append_state(out, w, now) end
return out
`;

/**
 * Applies what a response said about one window, exactly as `WindowState.correct`: the
 * server's quota and window length, its remaining count and reset, or a 429 that empties
 * the window until its reset. The window is the one whose length matches the server's,
 * else the first (core's `windowFor`).
 *
 * Own ARGV: remaining, resetMs, quota, windowMs ('' = absent), exhausted (`1`/`0`).
 */
export const CORRECT = `${WINDOW_LIB}
local now = ms_now()
local ws, a = load_windows()
local cRemaining, cReset, cQuota, cWindow = num(ARGV[a]), num(ARGV[a + 1]), num(ARGV[a + 2]), num(ARGV[a + 3])
local exhausted = ARGV[a + 4] == '1'
local w = ws[1]
for _, x in ipairs(ws) do if x.windowMs == cWindow then w = x break end end
if w.sliding then w.size = redis.call('ZCARD', w.log) end
if cQuota ~= nil and cQuota > 0 and cQuota ~= w.limit then
  -- keep the newest admissions: they stay inside the window longest
  if w.sliding and w.size > cQuota then
    redis.call('ZREMRANGEBYRANK', w.log, 0, w.size - cQuota - 1)
    w.size = cQuota
  end
  w.limit, w.limitSet = cQuota, true
  if w.burst ~= nil then w.tokens = math.min(w.tokens, w.burst) end
end
if cWindow ~= nil and cWindow > 0 then w.windowMs, w.windowSet = cWindow, true end
local resetAt = cReset ~= nil and now + cReset or nil
if exhausted then
  if resetAt ~= nil then
    w.blockedUntil = resetAt
  elseif w.sliding then
    local oldest = redis.call('ZRANGE', w.log, 0, 0, 'WITHSCORES')
    w.blockedUntil = oldest[2] and tonumber(oldest[2]) + w.windowMs or now
  else
    w.blockedUntil = math.max(w.resetAt or now, now)
  end
  if not w.sliding then w.used, w.resetAt = w.limit, w.blockedUntil end
elseif not w.sliding then
  roll(w, now)
  -- a reset far from ours means the server counts another window: adopt its boundary and count
  if resetAt ~= nil and math.abs(resetAt - w.resetAt) > 1000 then
    w.resetAt = resetAt
    if cRemaining ~= nil then w.used = w.limit - cRemaining end
  elseif cRemaining ~= nil then
    w.used = math.max(w.used, w.limit - cRemaining)
  end
  w.used = math.min(math.max(w.used, 0), w.limit)
elseif cRemaining ~= nil then
  expire(w, now)
  local missing = w.limit - cRemaining - w.size
  take(w, missing, now)
end
save(w, now, 0)
return now
`;

/**
 * Reconciles a weighted take, as `WindowState.adjust`: gives back `-delta` permits taken
 * `ageMs` ago (not once the fixed window that counted them has rolled over; for a sliding
 * one, the oldest admissions logged since a second before, which are ours or older ones
 * that would leave sooner anyway), or takes `delta` more, past the limit if need be. The age
 * is the caller's (its clock reading minus the moment the grant came back), applied to Redis
 * time: it is never shorter than the real age of the decision.
 *
 * Own ARGV: delta, ageMs.
 */
export const ADJUST = `${WINDOW_LIB}
local now = ms_now()
local ws, a = load_windows()
local delta, takenAt = tonumber(ARGV[a]), now - tonumber(ARGV[a + 1])
for _, w in ipairs(ws) do
  advance(w, now)
  if not w.sliding then
    if delta > 0 then
      w.used = w.used + delta
    elseif takenAt >= w.resetAt - w.windowMs then
      w.used = math.max(0, w.used + delta)
    end
  elseif delta > 0 then
    take(w, delta, now)
  else
    local ours = redis.call('ZRANGEBYSCORE', w.log, takenAt - 1000, '+inf', 'LIMIT', 0, -delta)
    if #ours > 0 then
      redis.call('ZREM', w.log, unpack(ours))
      w.size = w.size - #ours
    end
  end
  if w.burst ~= nil then w.tokens = math.min(w.burst, w.tokens - delta) end
  save(w, now, 0)
end
return now
`;

/**
 * The view of every window for stats: `{ redisNow, limit1, remaining1, resetAt1, … }`.
 * Read-only: it computes the rolled or expired state without writing it back.
 */
export const SNAPSHOT = `${WINDOW_LIB}
local now = ms_now()
local ws = load_windows()
local out = { now }
for _, w in ipairs(ws) do
  local left, resetAt
  if w.sliding then
    w.size = redis.call('ZCOUNT', w.log, '(' .. (now - w.windowMs), '+inf')
    local oldest = redis.call('ZRANGEBYSCORE', w.log, '(' .. (now - w.windowMs), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    resetAt = oldest[2] and tonumber(oldest[2]) + w.windowMs or now
  else
    if w.resetAt == nil or now >= w.resetAt then
      resetAt = w.resetAt and w.resetAt + math.ceil((now - w.resetAt + 1) / w.windowMs) * w.windowMs or now + w.windowMs
      w.used = 0
    else
      resetAt = w.resetAt
    end
  end
  left = remaining(w, now)
  if blocked(w, now) then resetAt = w.blockedUntil end
  table.insert(out, w.limit)
  table.insert(out, left)
  table.insert(out, math.ceil(resetAt))
end
return out
`;
