import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The shared test Redis (127.0.0.1:6379 unless `REDIS_URL` says otherwise). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `webtasks-test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** Delete every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A client for test bookkeeping. */
export function createTestRedis(): Redis {
  return new Redis(REDIS_URL);
}
