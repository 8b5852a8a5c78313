import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Connection, startTestS3Server, type TestS3Server } from './__fixtures__/s3-server.js';
import { createS3BlobStore } from './s3-blob-store.js';

let server: TestS3Server;

beforeAll(async () => {
  server = await startTestS3Server(['blobs']);
});

afterAll(async () => {
  await server?.close();
});

const key = (name: string) => `ws_${randomUUID()}/files/${name}`;
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MIB = 1024 * 1024;

/** A client that records the name of every command it sends. */
function recordingClient(): { client: S3Client; commands: string[] } {
  const client = new S3Client(s3Connection(server));
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, commands };
}

describe('S3 blob store', () => {
  it('uploads a 20 MiB body in 8 MiB parts and reads it back intact', { timeout: 90_000 }, async () => {
    const { client, commands } = recordingClient();
    const store = createS3BlobStore({ client, bucket: 'blobs' });
    const body = new Uint8Array(randomBytes(20 * MIB));
    const objectKey = key('trace.zip');
    let started = performance.now();
    expect(await store.put({ key: objectKey, body, contentType: 'application/zip' })).toEqual({
      sizeBytes: body.length,
    });
    const putMs = performance.now() - started;
    expect(commands.filter((name) => name === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CreateMultipartUploadCommand');
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands).not.toContain('PutObjectCommand');
    started = performance.now();
    const loaded = await store.get({ key: objectKey });
    const getMs = performance.now() - started;
    expect(loaded?.contentType).toBe('application/zip');
    expect(loaded?.sizeBytes).toBe(body.length);
    expect(digest(loaded?.body ?? new Uint8Array())).toBe(digest(body));
    console.log(
      `[store-s3] 20 MiB multipart put ${putMs.toFixed(0)} ms (${((20 / putMs) * 1000).toFixed(0)} MiB/s), ` +
        `get ${getMs.toFixed(0)} ms (${((20 / getMs) * 1000).toFixed(0)} MiB/s) against s3rver`,
    );
    client.destroy();
  });

  it('small bodies go up in one PutObject', async () => {
    const { client, commands } = recordingClient();
    const store = createS3BlobStore({ client, bucket: 'blobs' });
    await store.put({ key: key('small.json'), body: new Uint8Array(1_000), contentType: 'application/json' });
    expect(commands).toEqual(['PutObjectCommand']);
    client.destroy();
  });

  it('a presigned URL serves the object, with Content-Disposition when a download name is given', async () => {
    const store = createS3BlobStore({ ...s3Connection(server), bucket: 'blobs', prefix: 'results/' });
    const objectKey = key('rows.csv');
    await store.put({
      key: objectKey,
      body: new TextEncoder().encode('name\nAcme\n'),
      contentType: 'text/csv',
    });
    const plain = await store.signedUrl({ key: objectKey, expiresInSeconds: 60 });
    expect(new URL(plain.url).pathname).toBe(`/blobs/results/${objectKey}`);
    const response = await fetch(plain.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(await response.text()).toBe('name\nAcme\n');

    const named = await store.signedUrl({
      key: objectKey,
      expiresInSeconds: 60,
      downloadName: 'Acme rows – 2024.csv',
    });
    const download = await fetch(named.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Acme rows _ 2024.csv"; filename*=UTF-8''${encodeURIComponent('Acme rows – 2024.csv')}`,
    );
    await store.close();
  });

  it('a presigned URL stops working once it expires', async () => {
    const store = createS3BlobStore({ ...s3Connection(server), bucket: 'blobs' });
    const objectKey = key('short.txt');
    await store.put({
      key: objectKey,
      body: new TextEncoder().encode('soon gone'),
      contentType: 'text/plain',
    });
    // SigV4 dates have whole seconds: sign just after a second starts, so the URL lives ~1 s.
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    const signed = await store.signedUrl({ key: objectKey, expiresInSeconds: 1 });
    expect((await fetch(signed.url)).status).toBe(200);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(signed.expiresAt) - Date.now()) + 1_100),
    );
    const expired = await fetch(signed.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/i);
    await store.close();
  });

  it('rejects an expiry beyond the 7-day SigV4 limit', async () => {
    const store = createS3BlobStore({ ...s3Connection(server), bucket: 'blobs' });
    await expect(store.signedUrl({ key: key('x'), expiresInSeconds: 8 * 24 * 3600 })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await store.close();
  });

  it('creates a missing bucket when createBucket is on, and says what to do when it is off', async () => {
    const bucket = `auto-${randomUUID().slice(0, 8)}`;
    const without = createS3BlobStore({ ...s3Connection(server), bucket });
    const error = await without
      .put({ key: key('a'), body: new Uint8Array([1]), contentType: 'text/plain' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage-error', retryable: false });
    expect((error as Error).message).toMatch(/^\[webtasks:store-s3\] .*NoSuchBucket.*createBucket: true/);
    await without.close();

    const store = createS3BlobStore({ ...s3Connection(server), bucket, createBucket: true });
    const objectKey = key('a');
    await store.put({ key: objectKey, body: new Uint8Array([7]), contentType: 'text/plain' });
    expect((await store.get({ key: objectKey }))?.body[0]).toBe(7);
    await store.close();
  });

  it('unknown credentials are a non-retryable storage-error', async () => {
    const store = createS3BlobStore({
      ...s3Connection(server),
      credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'nope' },
      bucket: 'blobs',
    });
    const error = await store.get({ key: key('a') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage-error', retryable: false });
    expect((error as Error).message).toMatch(/InvalidAccessKeyId/);
    await store.close();
  });

  it('an aborted upload rejects with aborted', async () => {
    const store = createS3BlobStore({ ...s3Connection(server), bucket: 'blobs' });
    const controller = new AbortController();
    const upload = store.put({
      key: key('big'),
      body: new Uint8Array(20 * MIB),
      contentType: 'application/zip',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 5);
    await expect(upload).rejects.toMatchObject({ code: 'aborted' });
    await store.close();
  });
});
