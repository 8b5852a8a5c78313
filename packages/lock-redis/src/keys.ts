/** The Redis keys and pub/sub channel of one lock or semaphore name. */
export interface NameKeys {
  /** Lock: string `<token>:<holderId>` with a PX expiry. Semaphore: sorted set of holder ids by expiry. */
  holder: string;
  /** Fencing-token counter (locks only); never expires. */
  fence: string;
  /** Waiters in arrival order: sorted set of waiter ids scored by `sequence`. */
  queue: string;
  /** Waiter heartbeats: sorted set of waiter ids scored by the epoch ms their heartbeat lapses. */
  alive: string;
  /** Arrival counter for `queue`; deleted when the queue empties. */
  sequence: string;
  /** Published to when the lock is released, a slot is freed or a waiter leaves. */
  channel: string;
}

/**
 * Keys for a lock (`kind` `lock`) or semaphore (`sem`) name. The name sits in a `{…}` hash
 * tag, so every key of one name lands in the same Redis Cluster slot (Lua scripts need that).
 */
export function nameKeys(prefix: string, kind: 'lock' | 'sem', name: string): NameKeys {
  const base = `${prefix}${kind}:{${name}}`;
  return {
    holder: `${base}:holder`,
    fence: `${base}:fence`,
    queue: `${base}:queue`,
    alive: `${base}:alive`,
    sequence: `${base}:seq`,
    channel: `${base}:wake`,
  };
}
