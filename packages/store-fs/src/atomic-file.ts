import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Whether an error is a Node system error with this code. */
export function hasErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** Read a file, or undefined when it does not exist. */
export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if (hasErrno(error, 'ENOENT') || hasErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
}

/** Flush a directory entry change (create/rename/unlink) to disk. */
export async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A temp file in the target's own directory (same filesystem, so rename/link are atomic). */
async function writeTemp(target: string, data: Uint8Array | string): Promise<string> {
  const directory = path.dirname(target);
  await mkdir(directory, { recursive: true });
  const temp = path.join(directory, `.tmp-${randomBytes(8).toString('hex')}`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  return temp;
}

/**
 * How durable a replaced name is. `syncDirectory: false` skips the fsync of the directory
 * after the rename: the content is still synced before its name appears (so the name never
 * points at a partial file, even after a power loss), but a power loss right after may lose
 * the rename itself (the old content, or no file, comes back). Blobs take this: see
 * fs-blob-store.ts.
 */
export interface AtomicWriteOptions {
  syncDirectory?: boolean;
}

/**
 * Replace `target` atomically with what `write` writes to an open temp file beside it (for
 * bodies that arrive in chunks); the temp file is removed when `write` throws.
 */
export async function writeHandleAtomic(
  target: string,
  write: (handle: import('node:fs/promises').FileHandle) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const directory = path.dirname(target);
  await mkdir(directory, { recursive: true });
  const temp = path.join(directory, `.tmp-${randomBytes(8).toString('hex')}`);
  const handle = await open(temp, 'wx');
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  if (options.syncDirectory !== false) await fsyncDirectory(directory);
}

/**
 * Replace `target` atomically: write a temp file beside it, fsync, rename over it, fsync the
 * directory. Readers see the old or the new content, never a partial file, even if the
 * process is killed at any point.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = await writeTemp(target, data);
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  if (options.syncDirectory !== false) await fsyncDirectory(path.dirname(target));
}

/**
 * Create `target` atomically and exclusively: the complete temp file is hard-linked to the
 * target name, which fails if the name exists, even when another process races for it.
 * Returns false when the target already existed (nothing written).
 */
export async function createFileExclusive(target: string, data: Uint8Array | string): Promise<boolean> {
  const temp = await writeTemp(target, data);
  try {
    await link(temp, target);
  } catch (error) {
    if (hasErrno(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
  await fsyncDirectory(path.dirname(target));
  return true;
}
