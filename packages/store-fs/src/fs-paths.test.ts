import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WebTasksError } from '@webtasks/core';
import { sampleNewBundle, sampleTaskRecord } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsBlobStore } from './fs-blob-store.js';
import { createFsBundleStore } from './fs-bundle-store.js';
import { encodeName } from './fs-names.js';
import { createFsTaskStore } from './fs-task-store.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('store-fs paths', () => {
  const root = useTempDirectory('paths');
  const directory = path.join(root, 'store');

  it('ids and keys that look like paths stay inside their directory', async () => {
    const bundles = createFsBundleStore({ directory });
    const tasks = createFsTaskStore({ directory });
    const workspaceId = '../../escape';
    const saved = await bundles.save({
      bundle: sampleNewBundle({ workspaceId, reuseKey: '..' }),
      expectedVersion: 0,
    });
    expect(saved.version).toBe(1);
    await tasks.create({ task: sampleTaskRecord({ workspaceId, webTaskId: '../../../../tmp/x' }) });
    expect(readdirSync(root)).toEqual(['store']);
    expect(existsSync(path.join(directory, 'bundles', encodeName(workspaceId), encodeName('..')))).toBe(true);
    expect((await bundles.list({ workspaceId })).map((line) => line.reuseKey)).toEqual(['..']);
  });

  it('empty ids and traversing blob keys are rejected with invalid-request', async () => {
    const bundles = createFsBundleStore({ directory });
    const blobs = createFsBlobStore({
      directory,
      baseUrl: 'http://127.0.0.1:3000',
      secret: 'paths-test-secret-0123456789',
    });
    const empty = await rejection(bundles.latest({ workspaceId: '', reuseKey: 'k' }));
    expect(WebTasksError.hasCode(empty, 'invalid-request')).toBe(true);
    for (const key of ['../x', 'ws/../../x', '/etc/passwd', 'a//b', 'ws/./x', 'ws\0/x']) {
      const error = await rejection(blobs.put({ key, body: new Uint8Array([1]), contentType: 'text/plain' }));
      expect(WebTasksError.hasCode(error, 'invalid-request')).toBe(true);
      expect((error as Error).message).toMatch(/^\[webtasks:store-fs:blobs\] Invalid blob key/);
    }
    expect(readdirSync(root)).toEqual(['store']);
  });

  it('a blob key and a longer key under it can both exist', async () => {
    const blobs = createFsBlobStore({
      directory,
      baseUrl: 'http://127.0.0.1:3000',
      secret: 'paths-test-secret-0123456789',
    });
    const base = `ws_${randomUUID()}/out`;
    await blobs.put({ key: base, body: new Uint8Array([1]), contentType: 'text/plain' });
    await blobs.put({ key: `${base}/part.blob`, body: new Uint8Array([2]), contentType: 'text/plain' });
    expect((await blobs.get({ key: base }))?.body[0]).toBe(1);
    expect((await blobs.get({ key: `${base}/part.blob` }))?.body[0]).toBe(2);
  });

  it('a task lock left by a dead process is broken; a live one makes transitions wait', async () => {
    const tasks = createFsTaskStore({ directory, lockWaitMs: 300 });
    const task = sampleTaskRecord();
    await tasks.create({ task });
    const lockFile = path.join(
      directory,
      'tasks',
      encodeName(task.workspaceId),
      `${encodeName(task.webTaskId)}.lock`,
    );
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockFile, `${dead} ${(await import('node:os')).hostname()} token ${Date.now()}`);
    const started = await tasks.transition({ ...task, from: ['pending'], patch: { status: 'started' } });
    expect(started.status).toBe('started');
    expect(existsSync(lockFile)).toBe(false);

    writeFileSync(lockFile, `${process.pid} ${(await import('node:os')).hostname()} token ${Date.now()}`);
    const error = await rejection(
      tasks.transition({ ...task, from: ['started'], patch: { status: 'completed' } }),
    );
    expect(WebTasksError.hasCode(error, 'storage-error')).toBe(true);
    expect((await tasks.get(task))?.status).toBe('started');
  });
});
