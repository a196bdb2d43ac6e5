import { WINDOW_LIB } from "./window-lib.js";

/**
 * Writes what one process admitted on its local fallback back into the shared windows, when
 * Redis answers again, and says until when every process should keep deciding on its own
 * share (the recovery hold).
 *
 * Own ARGV: owner, seq, lostAt, holdMs, then 3 values per window: count (admissions the fallback
 * made inside the window that ends at windowEnd), windowEnd (Redis time; -1 for a sliding
 * window), knownUsed (what Redis had counted in that window when the process lost it; -1 =
 * unknown).
 *
 * - Counted once: each process numbers its replays (`seq`, sent one at a time) and each
 *   window keeps the last number it applied per process (one field per process), so a replay
 *   sent again (its answer was lost) changes nothing.
 * - A window that has reset since is not charged.
 * - A window Redis lost (a restart without persistence) is restored: its boundary from the
 *   fallback, its count from what Redis had counted before plus the fallback's admissions.
 * - Hold (`holdMs > 0`): when no process decided on Redis since this one lost it (`liveAt
 *   <= lostAt`: Redis was gone for everyone), the first boundary of every fixed window at
 *   least `holdMs` ahead becomes `recoverAt`; until then every process that comes back keeps
 *   to its share, so that one still on its fallback cannot add its share to a window that
 *   Redis hands out in full. A process that comes back after others went on without it
 *   (`liveAt > lostAt`) gets no hold.
 *
 * Returns `{ redisNow, hold (Redis time, 0 = none) }`, then 5 values per window as
 * {@link ACQUIRE}.
 */
export const REPLAY = `${WINDOW_LIB}
local now = ms_now()
local ws, a = load_windows()
local owner, seq = ARGV[a], tonumber(ARGV[a + 1])
local lostAt, holdMs = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
for i, w in ipairs(ws) do
  local b = a + 4 + (i - 1) * 3
  local count, windowEnd, known = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  -- a window Redis lost takes the fallback's boundary (rolled forward if it has passed)
  if not w.sliding and w.resetAt == nil and windowEnd > 0 then w.resetAt, w.used = windowEnd, 0 end
  advance(w, now)
  local applied = tonumber(redis.call('HGET', w.key, 'replay:' .. owner) or '0')
  if seq > applied then
    redis.call('HSET', w.key, 'replay:' .. owner, seq)
    if w.sliding then
      local add = count
      if known >= 0 then add = math.max(add, known + count - w.size) end
      take(w, math.max(0, add), now)
    elseif windowEnd > now and windowEnd > w.resetAt - w.windowMs then
      w.used = math.max(w.used, known) + count
      if w.burst ~= nil then w.tokens = w.tokens - count end
    end
  end
  save(w, now, 0)
end
local hold = 0
if holdMs > 0 then
  local h = redis.call('HMGET', ws[1].key, 'recoverAt', 'liveAt')
  local recoverAt, liveAt = num(h[1]), num(h[2])
  if recoverAt ~= nil and recoverAt > now then
    hold = recoverAt
  elseif liveAt == nil or liveAt <= lostAt then
    hold = now + holdMs
    for _, w in ipairs(ws) do
      if not w.sliding then
        local boundary = w.resetAt
        if boundary < now + holdMs then
          boundary = boundary + math.ceil((now + holdMs - boundary) / w.windowMs) * w.windowMs
        end
        if boundary > hold then hold = boundary end
      end
    end
    hold = math.ceil(hold)
    redis.call('HSET', ws[1].key, 'recoverAt', hold)
    redis.call('PEXPIRE', ws[1].key, math.max(redis.call('PTTL', ws[1].key), hold - now + 1000))
  end
end
local out = { now, hold }
for _, w in ipairs(ws) do append_state(out, w, now) end
return out
`;
