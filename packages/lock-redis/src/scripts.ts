/**
 * Lua scripts, run atomically by Redis. Time is Redis's own clock (`TIME`), so processes
 * with skewed clocks agree on expiries and heartbeats.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Drop waiters whose heartbeat lapsed (a dead process must not block the queue). KEYS[q], KEYS[a]. */
const REAP_WAITERS = (queue: string, alive: string) => `
local dead = redis.call('ZRANGEBYSCORE', ${alive}, '-inf', now, 'LIMIT', 0, 100)
if #dead > 0 then
  redis.call('ZREM', ${queue}, unpack(dead))
  redis.call('ZREM', ${alive}, unpack(dead))
end
`;

/** Leave the queue after acquiring; drop the sequence counter when nobody waits. */
const DEQUEUE = (queue: string, alive: string, sequence: string, waiter: string) => `
redis.call('ZREM', ${queue}, ${waiter})
redis.call('ZREM', ${alive}, ${waiter})
if redis.call('ZCARD', ${queue}) == 0 then redis.call('DEL', ${sequence}) end
`;

/** Join the queue (once) and refresh the heartbeat. */
const ENQUEUE = (queue: string, alive: string, sequence: string, waiter: string, heartbeatMs: string) => `
if redis.call('ZSCORE', ${queue}, ${waiter}) == false then
  redis.call('ZADD', ${queue}, redis.call('INCR', ${sequence}), ${waiter})
end
redis.call('ZADD', ${alive}, now + tonumber(${heartbeatMs}), ${waiter})
`;

/**
 * Try to take a lock. KEYS: holder, fence, queue, alive, sequence.
 * ARGV: holderId, waiterId, ttlMs, heartbeatMs, join ('1' to queue up when not granted).
 * Returns {1, fencingToken} or {0, retryHintMs}.
 *
 * Granted when the lock is free and the caller heads the queue (or nobody queues). The
 * fencing counter is seeded with the Redis clock × 1000 when missing, so tokens keep
 * increasing even if Redis lost its data.
 */
export const ACQUIRE_LOCK = `${NOW}${REAP_WAITERS('KEYS[3]', 'KEYS[4]')}
local pttl = redis.call('PTTL', KEYS[1])
if pttl == -2 then
  local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  if head == nil or head == ARGV[2] then
    if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], string.format('%d', now * 1000)) end
    local token = redis.call('INCR', KEYS[2])
    redis.call('SET', KEYS[1], string.format('%d', token) .. ':' .. ARGV[1], 'PX', ARGV[3])
    ${DEQUEUE('KEYS[3]', 'KEYS[4]', 'KEYS[5]', 'ARGV[2]')}
    return {1, token}
  end
  pttl = 0
end
if ARGV[5] == '1' then
  ${ENQUEUE('KEYS[3]', 'KEYS[4]', 'KEYS[5]', 'ARGV[2]', 'ARGV[4]')}
end
return {0, pttl}
`;

/** Push a lock's expiry if the value still matches. KEYS: holder. ARGV: value, ttlMs. Returns 1/0. */
export const EXTEND_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Delete a lock if the value still matches, and wake waiters. KEYS: holder. ARGV: value, channel. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0
`;

/** Leave the queue (timeout, abort) and wake the others. KEYS: queue, alive, sequence. ARGV: waiterId, channel. */
export const LEAVE_QUEUE = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[3]) end
if removed == 1 then redis.call('PUBLISH', ARGV[2], 'left') end
return removed
`;

/**
 * Try to take a semaphore slot. KEYS: holders, queue, alive, sequence.
 * ARGV: holderId, waiterId, limit, ttlMs, heartbeatMs, join, channel.
 * Returns {1, expiresAt} or {0, retryHintMs}.
 *
 * Expired slots are reclaimed first. With `free` slots open, the first `free` waiters of
 * the queue may take one (a caller that does not queue only when fewer than `free` wait).
 */
export const ACQUIRE_SLOT = `${NOW}${REAP_WAITERS('KEYS[2]', 'KEYS[3]')}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[3])
local free = limit - redis.call('ZCARD', KEYS[1])
if free > 0 then
  local rank = redis.call('ZRANK', KEYS[2], ARGV[2])
  local waiting = redis.call('ZCARD', KEYS[2])
  if (rank and rank < free) or ((not rank) and waiting < free) then
    local expiresAt = now + tonumber(ARGV[4])
    redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
    local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]) + 1000)
    ${DEQUEUE('KEYS[2]', 'KEYS[3]', 'KEYS[4]', 'ARGV[2]')}
    if free > 1 and redis.call('ZCARD', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[7], 'free') end
    return {1, expiresAt}
  end
end
if ARGV[6] == '1' then
  ${ENQUEUE('KEYS[2]', 'KEYS[3]', 'KEYS[4]', 'ARGV[2]', 'ARGV[5]')}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then return {0, math.max(0, tonumber(first[2]) - now)} end
return {0, 0}
`;

/** Push a slot's expiry if it is still held. KEYS: holders. ARGV: holderId, ttlMs. Returns 1/0. */
export const EXTEND_SLOT = `${NOW}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score == false or tonumber(score) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]) + 1000)
return 1
`;

/** Give a slot back and wake waiters. KEYS: holders. ARGV: holderId, channel. */
export const RELEASE_SLOT = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then redis.call('PUBLISH', ARGV[2], 'released') end
return removed
`;
