import { createHash } from 'node:crypto';
import type { RedisConnection } from './connection.js';

/**
 * The Lua scripts that make each multi-key change one atomic step in Redis. Time is
 * always an argument (the app clock's), never Redis's own, so tests can move it. Keys
 * are built inside the scripts from the prefix: Parley needs one Redis (or a primary
 * with replicas), not Redis Cluster.
 */
export type LuaScript = { source: string; sha: string };

const lua = (source: string): LuaScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

/** Runs a script by its hash, loading it once when Redis does not know it (a restart). */
export async function runScript(
  redis: RedisConnection,
  script: LuaScript,
  args: (string | number)[],
): Promise<unknown> {
  const strings = args.map(String);
  try {
    return await redis.sendCommand(['EVALSHA', script.sha, '0', ...strings]);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.sendCommand(['EVAL', script.source, '0', ...strings]);
  }
}

// Roster layout, under the prefix P:
//   P roster:<room>        hash  connectionId -> {"p": processId, "u": userId, "e": entry}
//   P roster-users:<room>  hash  userId -> connections of that user in the room
//   P roster-proc:<proc>   set   "<room> <connectionId>" owned by the process (for sweeps)
//   P leases               zset  processId -> lease end (ms since the epoch)
const rosterLib = `
local P = ARGV[1]
local function rk(room) return P .. 'roster:' .. room end
local function uk(room) return P .. 'roster-users:' .. room end
local function pk(proc) return P .. 'roster-proc:' .. proc end
local function drop(room, conn)
  local v = redis.call('HGET', rk(room), conn)
  if not v then return nil end
  local o = cjson.decode(v)
  redis.call('HDEL', rk(room), conn)
  local n = redis.call('HINCRBY', uk(room), o.u, -1)
  if n <= 0 then redis.call('HDEL', uk(room), o.u); n = 0 end
  redis.call('SREM', pk(o.p), room .. ' ' .. conn)
  return {v, redis.call('HLEN', rk(room)), n}
end
`;

/** ARGV: prefix, room, connectionId, userId, processId, value → {connections, userConnections} */
export const rosterAdd = lua(`${rosterLib}
local room, conn, user, proc, value = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
drop(room, conn)
redis.call('HSET', rk(room), conn, value)
local n = redis.call('HINCRBY', uk(room), user, 1)
redis.call('SADD', pk(proc), room .. ' ' .. conn)
return {redis.call('HLEN', rk(room)), n}
`);

/**
 * ARGV: prefix, room, connectionId, owner ("" = any) → nil | {value, connections,
 * userConnections}. With an owner, another process's entry is left alone.
 */
export const rosterRemove = lua(`${rosterLib}
if ARGV[4] ~= '' then
  local v = redis.call('HGET', rk(ARGV[2]), ARGV[3])
  if not v or cjson.decode(v).p ~= ARGV[4] then return nil end
end
return drop(ARGV[2], ARGV[3])
`);

/** ARGV: prefix, room → drops the room's entries and their process-set members. */
export const rosterClear = lua(`${rosterLib}
local room = ARGV[2]
local all = redis.call('HGETALL', rk(room))
for i = 1, #all, 2 do
  local o = cjson.decode(all[i + 1])
  redis.call('SREM', pk(o.p), room .. ' ' .. all[i])
end
redis.call('DEL', rk(room), uk(room))
return 1
`);

/** ARGV: prefix, processId, until → 1 when the process still held a lease, else 0. */
export const rosterHeartbeat = lua(`
local key = ARGV[1] .. 'leases'
local had = redis.call('ZSCORE', key, ARGV[2])
redis.call('ZADD', key, ARGV[3], ARGV[2])
if had then return 1 end
return 0
`);

/**
 * ARGV: prefix, now, self → flat list of room, value, connections, userConnections per
 * swept entry. Every process but self whose lease ended before now loses its entries and
 * its lease.
 */
export const rosterSweep = lua(`${rosterLib}
local now = ARGV[2]
local out = {}
local dead = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', '(' .. now)
for _, proc in ipairs(dead) do
  if proc ~= ARGV[3] then
    for _, m in ipairs(redis.call('SMEMBERS', pk(proc))) do
      local sp = string.find(m, ' ', 1, true)
      local room, conn = string.sub(m, 1, sp - 1), string.sub(m, sp + 1)
      local r = drop(room, conn)
      if r then
        table.insert(out, room)
        table.insert(out, r[1])
        table.insert(out, r[2])
        table.insert(out, r[3])
      end
    end
    redis.call('DEL', pk(proc))
    redis.call('ZREM', P .. 'leases', proc)
  end
end
return out
`);

/** ARGV: prefix, room... → the distinct users connected to each room, in order (one round trip). */
export const rosterUserCounts = lua(`
local out = {}
for i = 2, #ARGV do out[i - 1] = redis.call('HLEN', ARGV[1] .. 'roster-users:' .. ARGV[i]) end
return out
`);

/**
 * ARGV: prefix, presenceKey → {rooms, participants, usersOnline} over the entries of every
 * leased process: rooms with an entry (presence aside), their distinct users summed, and
 * the distinct users present. Reads only; O(entries), run at a scrape, not per message.
 */
export const rosterTotals = lua(`
local P, presence = ARGV[1], ARGV[2]
local seen, rooms, participants = {}, 0, 0
for _, proc in ipairs(redis.call('ZRANGE', P .. 'leases', 0, -1)) do
  for _, m in ipairs(redis.call('SMEMBERS', P .. 'roster-proc:' .. proc)) do
    local room = string.sub(m, 1, string.find(m, ' ', 1, true) - 1)
    if room ~= presence and not seen[room] then
      seen[room] = true
      rooms = rooms + 1
      participants = participants + redis.call('HLEN', P .. 'roster-users:' .. room)
    end
  end
end
return {rooms, participants, redis.call('HLEN', P .. 'roster-users:' .. presence)}
`);

// Socket counts (the connection caps), under the prefix P:
//   P sockets:<key>         hash  socket id -> owning processId
//   P sockets-proc:<proc>   set   "<id> <key>" counted by the process (for sweeps; ids have no spaces)
//   P sockets-leases        zset  processId -> lease end (renewed with rosterHeartbeat)
const socketsLib = `
local P = ARGV[1]
local function ck(key) return P .. 'sockets:' .. key end
local function cpk(proc) return P .. 'sockets-proc:' .. proc end
local function dropAll(proc)
  local n = 0
  for _, m in ipairs(redis.call('SMEMBERS', cpk(proc))) do
    local sp = string.find(m, ' ', 1, true)
    local id, key = string.sub(m, 1, sp - 1), string.sub(m, sp + 1)
    if redis.call('HGET', ck(key), id) == proc then
      redis.call('HDEL', ck(key), id)
      n = n + 1
    end
  end
  redis.call('DEL', cpk(proc))
  redis.call('ZREM', P .. 'sockets-leases', proc)
  return n
end
`;

/** ARGV: prefix, key, id, processId, limit → 1 when counted (or already), 0 when full. */
export const socketsTake = lua(`${socketsLib}
local key, id, proc, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('HEXISTS', ck(key), id) == 1 then return 1 end
if redis.call('HLEN', ck(key)) >= limit then return 0 end
redis.call('HSET', ck(key), id, proc)
redis.call('SADD', cpk(proc), id .. ' ' .. key)
return 1
`);

/** ARGV: prefix, key, id → 1 when it was counted, else 0. */
export const socketsRelease = lua(`${socketsLib}
local key, id = ARGV[2], ARGV[3]
local proc = redis.call('HGET', ck(key), id)
if not proc then return 0 end
redis.call('HDEL', ck(key), id)
redis.call('SREM', cpk(proc), id .. ' ' .. key)
return 1
`);

/** ARGV: prefix, now, self → sockets dropped: those of every process but self whose lease ended. */
export const socketsSweep = lua(`${socketsLib}
local n = 0
for _, proc in ipairs(redis.call('ZRANGEBYSCORE', P .. 'sockets-leases', '-inf', '(' .. ARGV[2])) do
  if proc ~= ARGV[3] then n = n + dropAll(proc) end
end
return n
`);

/** ARGV: prefix, processId → drops the process's counts and its lease. */
export const socketsDrop = lua(`${socketsLib}
return dropAll(ARGV[2])
`);

/**
 * Compare-and-set of one hash field. ARGV: key, field, hadValue ("0"/"1"), expected,
 * next → 1 when set, 0 when someone changed it first (the caller reads again).
 */
export const hashCas = lua(`
local cur = redis.call('HGET', ARGV[1], ARGV[2])
if ARGV[3] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[4] then
  return 0
end
redis.call('HSET', ARGV[1], ARGV[2], ARGV[5])
return 1
`);

/** ARGV: key, now, limit → the due members (at most limit), removed. */
export const deadlinesTake = lua(`
local due = redis.call('ZRANGEBYSCORE', ARGV[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
if #due > 0 then redis.call('ZREM', ARGV[1], unpack(due)) end
return due
`);

/** ARGV: key, prefix → removes every member that starts with prefix. */
export const deadlinesCancelPrefix = lua(`
local n = 0
for _, m in ipairs(redis.call('ZRANGE', ARGV[1], 0, -1)) do
  if string.sub(m, 1, #ARGV[2]) == ARGV[2] then
    redis.call('ZREM', ARGV[1], m)
    n = n + 1
  end
end
return n
`);

/** Fixed window. ARGV: key, now, windowMs, ttlMs → {count, msUntilReset}. */
export const attemptsFail = lua(`
local now, window = tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', ARGV[1], 'c', 'r')
local c, r = tonumber(v[1]), tonumber(v[2])
if not r or r <= now then
  c = 1
  r = now + window
else
  c = c + 1
end
redis.call('HSET', ARGV[1], 'c', c, 'r', r)
redis.call('PEXPIRE', ARGV[1], ARGV[4])
return {c, r - now}
`);

/**
 * Growing lockout (see BackoffLimiter). ARGV: key, now, after, baseMs, maxMs, forgetAfterMs,
 * expiryMarginMs → {count, lockedForMs}. Fields: c count, l locked until, f forget at.
 */
export const backoffFail = lua(`
local now = tonumber(ARGV[2])
local after, base, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local v = redis.call('HMGET', ARGV[1], 'c', 'f')
local c, f = tonumber(v[1]), tonumber(v[2])
if not f or f <= now then
  redis.call('DEL', ARGV[1])
  c = 0
end
c = c + 1
local lock = 0
if c >= after then lock = math.min(max, base * 2 ^ math.min(c - after, 40)) end
local forget = now + math.max(tonumber(ARGV[6]), lock)
redis.call('HSET', ARGV[1], 'c', c, 'f', forget)
if lock > 0 then redis.call('HSET', ARGV[1], 'l', now + lock) end
redis.call('PEXPIRE', ARGV[1], forget - now + tonumber(ARGV[7]))
return {c, lock}
`);

/** Token bucket. ARGV: key, now, burst, perSecond, ttlMs → ms to wait (0: taken). */
export const ratesTake = lua(`
local now, burst, rate = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', ARGV[1], 't', 'a')
local t, a = tonumber(v[1]), tonumber(v[2])
if not t then t = burst; a = now end
local elapsed = now - a
if elapsed < 0 then elapsed = 0 end
t = math.min(burst, t + elapsed / 1000 * rate)
local wait = 0
if t < 1 then wait = math.ceil((1 - t) / rate * 1000) else t = t - 1 end
redis.call('HSET', ARGV[1], 't', tostring(t), 'a', now)
redis.call('PEXPIRE', ARGV[1], ARGV[5])
return wait
`);

/** ARGV: key, token → 1 when released (still ours), else 0. */
export const lockRelease = lua(`
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
`);

/** ARGV: key, token, ttlMs → 1 when extended (still ours), else 0. */
export const lockExtend = lua(`
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('PEXPIRE', ARGV[1], ARGV[3]) end
return 0
`);
