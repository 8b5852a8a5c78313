import { randomUUID } from 'node:crypto';
import { verifyBlobUrl } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { createMemoryBlobStore } from './memory-blob-store.js';

describe('memory blob store signed URLs', () => {
  it('are served under baseUrl/files and verified with the shared secret', async () => {
    const secret = 'memory-signing-secret-0123456789';
    const store = createMemoryBlobStore({ baseUrl: 'http://127.0.0.1:4000', secret });
    const key = `ws_${randomUUID()}/result.json`;
    const signed = await store.signedUrl({ key, expiresInSeconds: 60 });
    expect(signed.url.startsWith(`http://127.0.0.1:4000/files/${key.split('/')[0]}/result.json?`)).toBe(true);
    expect(store.verifySignedUrl({ url: signed.url })).toMatchObject({ ok: true, key });
    expect(verifyBlobUrl({ url: signed.url, secret })).toMatchObject({ ok: true, key });
    expect(verifyBlobUrl({ url: signed.url, secret: 'another-secret-0123456789' })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('without a secret, only the store itself verifies its URLs', async () => {
    const store = createMemoryBlobStore();
    const other = createMemoryBlobStore();
    const signed = await store.signedUrl({ key: `ws_${randomUUID()}/a.bin`, expiresInSeconds: 60 });
    expect(store.verifySignedUrl({ url: signed.url }).ok).toBe(true);
    expect(other.verifySignedUrl({ url: signed.url }).ok).toBe(false);
  });
});
