export { deleteRedisKeys, REDIS_URL, type RedisKeyCommands, uniqueRedisPrefix } from './redis.js';
