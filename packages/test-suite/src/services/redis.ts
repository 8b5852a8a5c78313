import { randomBytes } from 'node:crypto';

/** The shared test Redis (127.0.0.1:6379 unless `REDIS_URL` says otherwise). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The two commands `deleteRedisKeys` needs; an ioredis or node-redis client fits. */
export interface RedisKeyCommands {
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    size: number,
  ): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
}

/** A Redis key prefix no other test uses: `webtasks-test:<label>:<random>:`. */
export function uniqueRedisPrefix(label: string): string {
  return `webtasks-test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** Delete every key under `prefix` (the cleanup of a test that used `uniqueRedisPrefix`). */
export async function deleteRedisKeys(redis: RedisKeyCommands, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
