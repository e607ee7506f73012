/**
 * The Lua scripts of the Redis message store. Each runs atomically inside Redis, so the id
 * counter, the room's epoch, retention, the room cap, the idle rule and the idempotency keys
 * change together or not at all, whichever process sends them.
 *
 * Keys of one room R (with the store's prefix P):
 * - `P room:R`  hash: `epoch` (the incarnation), `lastId` (the counter), `activeAt` (ms, Redis's clock)
 * - `P log:R`   stream: one entry per retained message, entry id `ID-0`, fields `t` text, `a` author, `at` ms
 * - `P keys:R`  hash: idempotency key → message id, forgotten once retention dropped that message
 * - `P rooms`   sorted set: room → last activity (ms), for the room cap and the idle rule
 * - `P messages` counter: messages retained across rooms
 * Scripts name other rooms' keys when they drop rooms: the store needs one Redis, not a cluster.
 */

// Shared by both scripts: the clock, dropping a room (and telling every process), and making
// sure the room has an incarnation. ARGV[1] room, ARGV[2] prefix, ARGV[3] channel,
// ARGV[4] maxRooms, ARGV[5] idleMs, ARGV[6] a fresh epoch in case the room starts now,
// ARGV[7] the epoch of a room nobody has written to (the cursor contract's EMPTY_ROOM_EPOCH).
const prelude = (createsRoom: boolean) => `
local createsRoom = ${createsRoom}
local room, prefix, channel = ARGV[1], ARGV[2], ARGV[3]
local maxRooms, idleMs, freshEpoch, emptyEpoch = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7]
local meta, log, keys, index, counter = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function dropRoom(name)
  local stream = prefix .. 'log:' .. name
  redis.call('DECRBY', counter, redis.call('XLEN', stream))
  redis.call('DEL', prefix .. 'room:' .. name, stream, prefix .. 'keys:' .. name)
  redis.call('ZREM', index, name)
  redis.call('PUBLISH', channel, name) -- its waiters re-read and meet the new incarnation
end

for _, name in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now - idleMs, 'LIMIT', 0, 16)) do
  dropRoom(name)
end

-- Only an append starts a room: reading a room nobody wrote to stores nothing (its cursor is 0.0).
local epoch = redis.call('HGET', meta, 'epoch')
local lastId = 0
local function touch()
  redis.call('HSET', meta, 'activeAt', now)
  redis.call('ZADD', index, now, room)
end
if epoch then
  lastId = tonumber(redis.call('HGET', meta, 'lastId'))
  if now - tonumber(redis.call('HGET', meta, 'activeAt')) > 60000 then
    touch() -- recorded at most once a minute on reads: the idle rule counts in days
  end
elseif createsRoom then
  if redis.call('ZCARD', index) >= maxRooms then
    local oldest = redis.call('ZRANGE', index, 0, 0)
    if oldest[1] then dropRoom(oldest[1]) end
  end
  epoch = freshEpoch
  redis.call('DEL', log, keys)
  redis.call('HSET', meta, 'epoch', epoch, 'lastId', 0)
  touch()
end
`;

/**
 * Appends one message. ARGV[8] text, ARGV[9] author, ARGV[10] idempotency key or '',
 * ARGV[11] messages retained per room.
 * Returns `{'new'|'repeated', epoch, id, author, at}` or `{'conflict'}`.
 */
// #region append-script
export const APPEND_SCRIPT = `${prelude(true)}
local text, author, key, maxLen = ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11])
if key ~= '' then
  local known = redis.call('HGET', keys, key)
  if known then
    local entry = redis.call('XRANGE', log, known .. '-0', known .. '-0')[1]
    if entry then
      local fields = entry[2] -- t, text, a, author, at, ms
      if fields[2] ~= text then return {'conflict'} end
      return {'repeated', epoch, known, fields[4], fields[6]}
    end
  end
end
local id = lastId + 1
if redis.call('XLEN', log) < maxLen then redis.call('INCR', counter) end
redis.call('XADD', log, 'MAXLEN', maxLen, id .. '-0', 't', text, 'a', author, 'at', now)
redis.call('HSET', meta, 'lastId', id, 'activeAt', now)
redis.call('ZADD', index, now, room)
if key ~= '' then
  redis.call('HSET', keys, key, id)
  if redis.call('HLEN', keys) > 2 * maxLen then
    local all = redis.call('HGETALL', keys)
    for i = 1, #all, 2 do
      if tonumber(all[i + 1]) <= id - maxLen then redis.call('HDEL', keys, all[i]) end
    end
  end
end
redis.call('PUBLISH', channel, room)
return {'new', epoch, tostring(id), author, tostring(now)}
`;
// #endregion append-script

/**
 * Reads a room after a cursor. ARGV[8] '1' when there is a cursor, ARGV[9] its epoch,
 * ARGV[10] its id, ARGV[11] how many messages an initial load gets.
 * Returns `{epoch, lastId, gap 0|1, reset 0|1, entries}` with entries as XRANGE gives them.
 */
// #region read-script
export const READ_SCRIPT = `${prelude(false)}
local hasCursor, afterEpoch, afterId, initial = ARGV[8] == '1', ARGV[9], tonumber(ARGV[10]), tonumber(ARGV[11])
-- A client that saw the room empty (cursor 0.0) has nothing of any incarnation: all that follows is news.
local fromEmpty = afterEpoch == emptyEpoch and afterId == 0
if not epoch then
  local reset = (hasCursor and not fromEmpty) and 1 or 0
  return {emptyEpoch, '0', 0, reset, {}}
end
if not hasCursor then
  local newest = redis.call('XREVRANGE', log, '+', '-', 'COUNT', initial)
  local entries = {}
  for i = #newest, 1, -1 do entries[#entries + 1] = newest[i] end
  return {epoch, tostring(lastId), 0, 0, entries}
end
if not fromEmpty and (afterEpoch ~= epoch or afterId > lastId) then
  return {epoch, tostring(lastId), 0, 1, redis.call('XRANGE', log, '-', '+')}
end
if afterId == lastId then return {epoch, tostring(lastId), 0, 0, {}} end
local entries = redis.call('XRANGE', log, (afterId + 1) .. '-0', '+')
-- Every id after the cursor is either returned or no longer retained.
return {epoch, tostring(lastId), #entries ~= lastId - afterId and 1 or 0, 0, entries}
`;
// #endregion read-script
