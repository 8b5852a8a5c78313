import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DownloadedFile, WebTaskResult, WebTasksClient } from '@webtasks/client';
import { type BlobStore, downloadedFileKey } from '@webtasks/core';
import { downloadedFilesIn } from '@webtasks/protocol';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';

/** The name a file is written under in DIR: its own name, made unique by its fileId when taken. */
function targetName(file: DownloadedFile, taken: Set<string>): string {
  const base = path.basename(file.name) || file.fileId;
  const name = taken.has(base) ? `${file.fileId}-${base}` : base;
  taken.add(name);
  return name;
}

/**
 * `webtasks result ID --download DIR`: write every file the result references into `dir`, each
 * checked against its SHA-256 (the client's `files.fetch`) and written whole or not at all.
 * Prints a line per file on stderr; returns how many were written.
 */
export async function downloadResultFiles(
  client: WebTasksClient,
  result: WebTaskResult,
  dir: string,
  ctx: CliContext,
): Promise<number> {
  const files = await client.files.list(result, { signal: ctx.signal });
  return writeFiles(files, dir, ctx, (file) => client.files.fetch(file, { signal: ctx.signal }));
}

/**
 * `webtasks run --download DIR`: the same, read straight from this process's blob store (no
 * server serves the signed URLs of `run`), each checked against its SHA-256.
 */
export async function writeLocalResultFiles(
  blobs: BlobStore,
  workspaceId: string,
  result: WebTaskResult,
  dir: string,
  ctx: CliContext,
): Promise<number> {
  if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'inline')
    return 0;
  const files = downloadedFilesIn(result.result.data);
  return writeFiles(files, dir, ctx, async (file) => {
    const key = downloadedFileKey({ workspaceId, webTaskId: result.webTaskId, ...file });
    const stored = await blobs.get({ key, signal: ctx.signal });
    const sha256 = stored && createHash('sha256').update(stored.body).digest('hex');
    if (!stored || sha256 !== file.sha256)
      throw new CliError(
        `${file.name} ${stored ? `has SHA-256 ${sha256}, not ${file.sha256}` : 'is missing from the blob store'}: run the task again.`,
        EXIT.failed,
      );
    return stored.body;
  });
}

async function writeFiles(
  files: DownloadedFile[],
  dir: string,
  ctx: CliContext,
  read: (file: DownloadedFile) => Promise<Uint8Array>,
): Promise<number> {
  const target = path.resolve(ctx.cwd, dir);
  await mkdir(target, { recursive: true });
  const taken = new Set<string>();
  for (const file of files) {
    const bytes = await read(file);
    const destination = path.join(target, targetName(file, taken));
    const partial = `${destination}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, destination);
    ctx.stderr.write(
      `↓ ${destination} (${bytes.byteLength} bytes, sha256 ${file.sha256.slice(0, 12)}… ok)\n`,
    );
  }
  if (files.length === 0) ctx.stderr.write('the result references no downloaded files\n');
  return files.length;
}
