import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sampleTaskRecord } from '@webtasks/test-suite';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCrashWriter, spawnNode } from './__fixtures__/child-process.js';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsBlobStore } from './fs-blob-store.js';
import { createFsBundleStore } from './fs-bundle-store.js';
import { encodeName } from './fs-names.js';
import { createFsTaskStore } from './fs-task-store.js';

const sha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('store-fs in real child processes', () => {
  const directory = useTempDirectory('crash');
  let writer = '';
  beforeAll(async () => {
    writer = await bundleCrashWriter();
  });

  it('a writer killed with SIGKILL mid-write never leaves a corrupt or partial file', async () => {
    const workspaceId = `ws_${randomUUID()}`;
    const reuseKey = `crash.${randomUUID()}`;
    let kills = 0;
    for (let run = 0; run < 6; run += 1) {
      const child = spawnNode(writer, [directory, 'churn', workspaceId, reuseKey]);
      // Let it get going (first round done), then kill at a random moment inside later writes.
      const started = Date.now();
      while (!child.output().includes('round') && Date.now() - started < 10_000) await sleep(5);
      expect(child.output()).toContain('round');
      await sleep(Math.floor(Math.random() * 150));
      child.child.kill('SIGKILL');
      const exit = await child.exited;
      expect(exit.stderr).toBe('');
      expect(exit.signal).toBe('SIGKILL');
      kills += 1;
    }
    expect(kills).toBe(6);

    // Every file a reader can reach is complete: bundles, stats and blobs check their hashes.
    const bundles = createFsBundleStore({ directory });
    const history = await bundles.history({ workspaceId, reuseKey });
    expect(history.length).toBeGreaterThanOrEqual(6);
    expect(history.map((line) => line.version)).toEqual(history.map((_, index) => history.length - index));
    for (const line of history) {
      const bundle = await bundles.get({ workspaceId, reuseKey, version: line.version });
      const [first = '', ...rest] = (bundle?.source ?? '').split('\n');
      expect(first.startsWith(`// sha256:${sha(rest.join('\n'))} `)).toBe(true);
    }
    const latest = await bundles.latest({ workspaceId, reuseKey });
    expect(latest?.version).toBe(history[0]?.version);

    const blobs = createFsBlobStore({
      directory,
      baseUrl: 'http://127.0.0.1:3000',
      secret: 'crash-writer-secret-0123456789',
    });
    let blobCount = 0;
    for (let index = 0; index < 3; index += 1) {
      const blob = await blobs.get({ key: `${workspaceId}/files/blob-${index}.bin` });
      if (blob === undefined) continue;
      blobCount += 1;
      expect(blob.contentType).toBe(`application/octet-stream; sha256=${sha(blob.body)}`);
    }
    expect(blobCount).toBeGreaterThan(0);

    // And on disk: every non-temp JSON file parses; only `.tmp-*` leftovers may be partial.
    const files = filesUnder(directory);
    for (const file of files.filter(
      (name) => name.endsWith('.json') && !path.basename(name).startsWith('.'),
    )) {
      expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
    }
    const keyDir = path.join(directory, 'bundles', encodeName(workspaceId), encodeName(reuseKey));
    expect(
      readdirSync(keyDir)
        .filter((name) => !name.startsWith('.'))
        .every((name) => /^v\d{10}(\.stats)?\.json$/.test(name)),
    ).toBe(true);
  }, 60_000);

  it('two processes racing on one key and the same tasks never both win', async () => {
    const workspaceId = `ws_${randomUUID()}`;
    const reuseKey = `race.${randomUUID()}`;
    const taskStore = createFsTaskStore({ directory });
    const ids: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const task = sampleTaskRecord({ workspaceId });
      await taskStore.create({ task });
      ids.push(task.webTaskId);
    }
    const env = { RACE_TASK_IDS: ids.join(',') };
    const children = [0, 1].map(() =>
      spawnNode(writer, [directory, 'race', workspaceId, reuseKey, '15'], env),
    );
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const exit of exits) expect(exit).toMatchObject({ code: 0, stderr: '' });
    const reports = children.map((child) => JSON.parse(child.output()) as { saved: number; won: string[] });

    const history = await createFsBundleStore({ directory }).history({ workspaceId, reuseKey });
    expect(history.map((line) => line.version)).toEqual(Array.from({ length: 30 }, (_, index) => 30 - index));
    expect(reports.map((report) => report.saved)).toEqual([15, 15]);

    const won = reports.flatMap((report) => report.won);
    expect(won.sort()).toEqual([...ids].sort());
    for (const [index, report] of reports.entries()) {
      for (const webTaskId of report.won) {
        expect((await taskStore.get({ workspaceId, webTaskId }))?.workerId).toBe(
          String(children[index]?.child.pid),
        );
      }
    }
  }, 60_000);
});
