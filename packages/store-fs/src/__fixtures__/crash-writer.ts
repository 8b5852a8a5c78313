// A child process for the crash and multi-process tests: it writes through the real
// filesystem stores until it is killed (mode `churn`) or races another process (mode `race`).
// Every written payload carries its own SHA-256, so a reader can tell a torn write.
import { createHash, randomBytes } from 'node:crypto';
import { WebTasksError } from '@webtasks/core';
import { createFsBlobStore } from '../fs-blob-store.js';
import { createFsBundleStore } from '../fs-bundle-store.js';
import { createFsTaskStore } from '../fs-task-store.js';

const [directory = '', mode = 'churn', workspaceId = 'ws', reuseKey = 'key', argument = '0'] =
  process.argv.slice(2);
const bundles = createFsBundleStore({ directory });
const tasks = createFsTaskStore({ directory });
const blobs = createFsBlobStore({
  directory,
  baseUrl: 'http://127.0.0.1:3000',
  secret: 'crash-writer-secret-0123456789',
});

const sha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

// Payloads are made once per process so that the loops spend their time writing.
const sourceBody = `${randomBytes(750_000).toString('hex')}\n`;
const sourceHeader = `// sha256:${sha(sourceBody)}`;
const blobBody = new Uint8Array(randomBytes(2 * 1024 * 1024));
const blobType = `application/octet-stream; sha256=${sha(blobBody)}`;

async function saveNext(source: string): Promise<boolean> {
  const latest = await bundles.latest({ workspaceId, reuseKey });
  try {
    await bundles.save({
      bundle: {
        workspaceId,
        reuseKey,
        source,
        outputSchema: { type: 'object' },
        origin: 'repair',
        task: 'crash test',
      },
      expectedVersion: latest?.version ?? 0,
    });
    return true;
  } catch (error) {
    if (WebTasksError.hasCode(error, 'conflict')) return false;
    throw error;
  }
}

// Two loops at once, bundles (+ stats) and blobs, so a kill lands inside some write.
async function churn(): Promise<void> {
  const bundleLoop = async (): Promise<never> => {
    for (let round = 0; ; round += 1) {
      await saveNext(`${sourceHeader} pid:${process.pid} round:${round}\n${sourceBody}`);
      const latest = await bundles.latest({ workspaceId, reuseKey });
      if (latest !== undefined) {
        const stats = { runs: round, rowCounts: [round], filledRuns: {} };
        await bundles.saveStats({ workspaceId, reuseKey, version: latest.version, stats });
      }
      process.stdout.write(`round ${round}\n`);
    }
  };
  const blobLoop = async (): Promise<never> => {
    for (let round = 0; ; round += 1) {
      await blobs.put({
        key: `${workspaceId}/files/blob-${round % 3}.bin`,
        body: blobBody,
        contentType: blobType,
      });
    }
  };
  await Promise.all([bundleLoop(), blobLoop()]);
}

async function race(): Promise<void> {
  const wanted = Number(argument);
  let saved = 0;
  while (saved < wanted) if (await saveNext(`// writer ${process.pid} save ${saved}\n`)) saved += 1;
  const won: string[] = [];
  const ids = (process.env.RACE_TASK_IDS ?? '').split(',').filter(Boolean);
  for (const webTaskId of ids) {
    try {
      await tasks.transition({
        workspaceId,
        webTaskId,
        from: ['pending'],
        patch: { status: 'started', workerId: String(process.pid) },
      });
      won.push(webTaskId);
    } catch (error) {
      if (!WebTasksError.hasCode(error, 'conflict')) throw error;
    }
  }
  process.stdout.write(`${JSON.stringify({ saved, won })}\n`);
}

await (mode === 'race' ? race() : churn());
