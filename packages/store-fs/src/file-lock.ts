import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { WebTasksError } from '@webtasks/core';
import { hasErrno } from './atomic-file.js';

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** Give up (retryable `storage-error`) after waiting this long. */
  waitMs: number;
  /** A lock older than this is considered abandoned even if its process looks alive. */
  staleMs: number;
  adapter: string;
}

// Serialises holders within this process, so the lock file only arbitrates between processes.
const local = new Map<string, Promise<void>>();

/**
 * Run `work` while holding `lockFile`: an in-process queue per file plus a lock file created
 * with `wx`, holding `pid host token time`. A lock whose process is gone (same host) or that
 * is older than `staleMs` is broken, under a second `.break` lock so that two processes
 * cannot both break it and then both hold it.
 */
export async function withFileLock<T>(
  lockFile: string,
  options: FileLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const previous = local.get(lockFile) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => mine);
  local.set(lockFile, tail);
  await previous;
  try {
    const token = await acquire(lockFile, options);
    try {
      return await work();
    } finally {
      await releaseIfMine(lockFile, token);
    }
  } finally {
    done();
    if (local.get(lockFile) === tail) local.delete(lockFile);
  }
}

async function acquire(lockFile: string, options: FileLockOptions): Promise<string> {
  const token = `${process.pid} ${hostname()} ${randomUUID()} ${Date.now()}`;
  const deadline = Date.now() + options.waitMs;
  for (let round = 0; ; round += 1) {
    if (await tryCreate(lockFile, token)) return token;
    await breakIfStale(lockFile, options.staleMs);
    if (Date.now() > deadline) {
      throw new WebTasksError({
        code: 'storage-error',
        retryable: true,
        message: `[webtasks:${options.adapter}] Timed out after ${options.waitMs} ms waiting for the file lock ${lockFile}: another process holds it. Retry; if no process is using the store, delete the lock file.`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(2 + round * 2, 25)));
  }
}

async function tryCreate(file: string, token: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(token);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (hasErrno(error, 'EEXIST')) return false;
    throw error;
  }
}

async function readToken(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function isStale(file: string, token: string, staleMs: number): Promise<boolean> {
  const [pidText, host, , timeText] = token.split(' ');
  const createdAt = Number(timeText);
  if (timeText === undefined || !Number.isFinite(createdAt)) {
    // Empty or cut short: the holder is writing it right now, or died between creating and
    // writing. Only the file's age tells them apart.
    const info = await stat(file).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > Math.min(staleMs, 2_000);
  }
  if (Date.now() - createdAt > staleMs) return true;
  if (host !== hostname()) return false;
  try {
    process.kill(Number(pidText), 0);
    return false;
  } catch (error) {
    return hasErrno(error, 'ESRCH');
  }
}

async function breakIfStale(lockFile: string, staleMs: number): Promise<void> {
  const seen = await readToken(lockFile);
  if (seen === undefined || !(await isStale(lockFile, seen, staleMs))) return;
  const breaker = `${lockFile}.break`;
  const breakerToken = `${process.pid} ${hostname()} ${randomUUID()} ${Date.now()}`;
  if (!(await tryCreate(breaker, breakerToken))) {
    const other = await readToken(breaker);
    if (other !== undefined && (await isStale(breaker, other, staleMs))) await releaseIfMine(breaker, other);
    return;
  }
  try {
    // Only the breaker holder deletes a lock it did not create, and only the exact one it saw.
    if ((await readToken(lockFile)) === seen) await unlink(lockFile).catch(() => {});
  } finally {
    await releaseIfMine(breaker, breakerToken);
  }
}

async function releaseIfMine(file: string, token: string): Promise<void> {
  if ((await readToken(file)) !== token) return;
  await unlink(file).catch((error: unknown) => {
    if (!hasErrno(error, 'ENOENT')) throw error;
  });
}
