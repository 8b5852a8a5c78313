import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DownloadedFile, WebTasksApiError, WebTasksClient } from '@webtasks/client';
import { type FixtureSites, fixtureFiles, startFixtureSites } from '@webtasks/test-suite';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Downloaded files reach the caller: the real `webtasks serve` process (real Chromium,
 * isolates, the server's own assembly), saved code that downloads the fixture file batch, and
 * the files fetched back through their signed URLs by the SDK and by
 * `webtasks result ID --download DIR`: from the server's `/files` route (filesystem blobs)
 * and from S3 (s3rver, presigned URLs).
 */

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(root, 'apps/cli/dist/cli.js');
const API_KEY = 'file-delivery-key-0123456789';
const WORKSPACE = 'acme';

const filesCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/files');
  const links = await ctx.page.locator('li.file a').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
  const files: unknown[] = [];
  for (const link of links) files.push(await ctx.files.download(link));
  return { count: files.length, files, first: files[0] };
}
`;

let sites: FixtureSites;
let s3: S3rver;
let s3Endpoint = '';
const scratch: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

interface Serve {
  child: ChildProcess;
  url: string;
  log: () => string;
}

/** A port free right now (file URLs name the port, so the server cannot take port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `webtasks serve --port N` with `env`; resolves once it prints its URL. */
async function serve(env: Record<string, string>): Promise<Serve> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk;
      const match = /listening on (http:\/\/\S+)\s|"url":"(http:\/\/[^"]+)"/.exec(log);
      const url = match?.[1] ?? match?.[2];
      if (url) resolve({ child, url, log: () => log });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`webtasks serve exited with ${code}:\n${log}`)));
  });
}

async function stop(server: Serve | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  for (const file of ['apps/cli/dist/cli.js', 'apps/server/dist/index.js']) {
    if (!existsSync(path.join(root, file)))
      throw new Error(`${file} is missing: run \`pnpm exec turbo run build\` first.`);
  }
  sites = await startFixtureSites();
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: await tempDir('webtasks-files-s3-'),
    configureBuckets: [{ name: 'downloads', configs: [] }],
  });
  s3Endpoint = `http://127.0.0.1:${((await s3.run()) as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await sites?.close();
  await s3?.close();
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each([
  { blobs: 'fs', env: (): Record<string, string> => ({}) },
  {
    blobs: 's3',
    env: (): Record<string, string> => ({
      WEBTASKS_BLOBS: 's3',
      WEBTASKS_S3_BUCKET: 'downloads',
      WEBTASKS_S3_ENDPOINT: s3Endpoint,
      WEBTASKS_S3_REGION: 'us-east-1',
      WEBTASKS_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }),
  },
])('downloaded files through the server, blobs on $blobs', ({ blobs, env }) => {
  let server: Serve | undefined;
  let client: WebTasksClient;
  let webTaskId = '';
  let files: DownloadedFile[] = [];

  beforeAll(async () => {
    server = await serve({
      WEBTASKS_API_KEYS: `${WORKSPACE}:${API_KEY}`,
      WEBTASKS_DATA_DIR: await tempDir(`webtasks-files-${blobs}-`),
      WEBTASKS_EGRESS_ALLOW_HOSTS: new URL(sites.baseUrl).host,
      WEBTASKS_LOG_LEVEL: 'warn',
      ...env(),
    });
    client = new WebTasksClient({ apiKey: API_KEY, workspaceId: WORKSPACE, baseUrl: server.url });
    // The import runs the code once to verify it (real Chromium, a real isolate).
    await client.bundles.import('file-batch', {
      source: filesCode(sites.baseUrl),
      outputSchema: { type: 'object', required: ['files'] },
      task: 'Download every file',
      startUrl: `${sites.baseUrl}/files`,
    });
    const result = await client.webTasks.run(
      { reuseKey: 'file-batch', task: 'Download every file', startUrl: `${sites.baseUrl}/files` },
      { timeoutMs: 240_000 },
    );
    expect(result, server.log()).toMatchObject({ outcome: 'success', reuse: { used: true } });
    webTaskId = result.webTaskId;
    files = await client.files.list(result);
  }, 300_000);

  afterAll(() => stop(server));

  it('puts a signed URL valid 7 days, the size, content type and SHA-256 on every file', () => {
    expect(files.map((file) => file.sizeBytes)).toEqual(fixtureFiles.map((file) => file.body.byteLength));
    for (const [i, file] of files.entries()) {
      const expected = fixtureFiles[i]!;
      expect(file.sha256).toBe(sha256(expected.body));
      expect(file.contentType).toBe(expected.contentType);
      const days = (Date.parse(file.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      // Signed to the whole second.
      expect(days).toBeLessThanOrEqual(7 + 2 / 86_400);
      if (blobs === 's3') expect(file.url.startsWith(`${s3Endpoint}/downloads/`)).toBe(true);
      else expect(file.url.startsWith(`${server?.url}/files/`)).toBe(true);
    }
  });

  it('serves the bytes to the SDK, checked against the SHA-256, and a tampered URL not at all', async () => {
    for (const [i, file] of files.entries()) {
      const bytes = await client.files.fetch(file);
      expect(Buffer.from(bytes).equals(Buffer.from(fixtureFiles[i]!.body))).toBe(true);
    }
    const first = files[0]!;
    const corrupt = client.files.fetch({ ...first, sha256: '0'.repeat(64) });
    await expect(corrupt).rejects.toMatchObject({ code: 'file-corrupt' });
    if (blobs === 'fs') {
      // s3rver does not check signatures (see TOOLCHAIN.md); the server does.
      const forged = client.files.fetch({
        ...first,
        url: first.url.replace(/signature=[^&]+/, 'signature=forged'),
      });
      await expect(forged).rejects.toSatisfy(
        (error) => WebTasksApiError.isInstance(error) && error.status === 403,
      );
    }
  });

  it('writes the files with `webtasks result ID --download DIR`', async () => {
    const dir = await tempDir('webtasks-files-out-');
    const { stderr } = await run(process.execPath, [CLI, 'result', webTaskId, '--download', dir, '--json'], {
      env: {
        PATH: process.env.PATH ?? '',
        WEBTASKS_BASE_URL: server?.url ?? '',
        WEBTASKS_API_KEY: API_KEY,
        WEBTASKS_WORKSPACE_ID: WORKSPACE,
      },
    });
    expect((await readdir(dir)).sort()).toEqual(fixtureFiles.map((file) => file.name).sort());
    for (const expected of fixtureFiles) {
      const written = await readFile(path.join(dir, expected.name));
      expect(written.equals(Buffer.from(expected.body))).toBe(true);
    }
    expect(stderr.match(/ok\)/g)).toHaveLength(fixtureFiles.length);
  }, 120_000);
});
