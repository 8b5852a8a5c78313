import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsBlobStore, verifySignedBlobUrl } from './fs-blob-store.js';

const secret = 'signed-url-test-secret-0123456789';

describe('store-fs signed URLs', () => {
  const directory = useTempDirectory('signed');
  const store = createFsBlobStore({ directory, baseUrl: 'https://tasks.example.com/', secret });
  const key = () => `ws_${randomUUID()}/results/rows é#?.csv`;

  it('points at the server and verifies to the key and download name', async () => {
    const objectKey = key();
    const signed = await store.signedUrl({ key: objectKey, expiresInSeconds: 600, downloadName: 'rows.csv' });
    const url = new URL(signed.url);
    expect(`${url.origin}${url.pathname.slice(0, 7)}`).toBe('https://tasks.example.com/files/');
    expect(store.verifySignedUrl({ url: signed.url })).toEqual({
      ok: true,
      key: objectKey,
      expiresAt: signed.expiresAt,
      downloadName: 'rows.csv',
    });
    // The server may only see the path and query (behind a proxy).
    expect(verifySignedBlobUrl({ url: `${url.pathname}${url.search}`, secret })).toMatchObject({
      ok: true,
      key: objectKey,
    });
  });

  it('rejects a tampered key, expiry, name or signature, and another secret', async () => {
    const signed = await store.signedUrl({ key: key(), expiresInSeconds: 600, downloadName: 'a.csv' });
    const tamper = (change: (url: URL) => void): string => {
      const url = new URL(signed.url);
      change(url);
      return url.toString();
    };
    const cases = [
      tamper((url) => (url.pathname = url.pathname.replace('/results/', '/other/'))),
      tamper((url) =>
        url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3_600)),
      ),
      tamper((url) => url.searchParams.set('name', 'b.csv')),
      tamper((url) => url.searchParams.delete('name')),
      tamper((url) =>
        url.searchParams.set('signature', `${url.searchParams.get('signature')?.slice(0, -2)}AA`),
      ),
    ];
    for (const url of cases)
      expect(store.verifySignedUrl({ url })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifySignedBlobUrl({ url: signed.url, secret: `${secret}-other` })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(
      store.verifySignedUrl({ url: tamper((url) => url.searchParams.delete('signature')) }),
    ).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(
      store.verifySignedUrl({ url: 'https://tasks.example.com/other/x?expires=1&signature=x' }),
    ).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('rejects an expired URL with a message that says to fetch a new one', async () => {
    const signed = await store.signedUrl({ key: key(), expiresInSeconds: 60 });
    const expiresAt = Date.parse(signed.expiresAt);
    expect(store.verifySignedUrl({ url: signed.url, now: expiresAt - 1_000 })).toMatchObject({ ok: true });
    const expired = store.verifySignedUrl({ url: signed.url, now: expiresAt + 1 });
    expect(expired).toMatchObject({ ok: false, reason: 'expired' });
    expect(expired.ok ? '' : expired.message).toMatch(/expired/);
  });

  it('refuses a weak secret or a relative baseUrl at creation', () => {
    expect(() => createFsBlobStore({ directory, baseUrl: 'http://x', secret: 'short' })).toThrow(/secret/);
    expect(() => createFsBlobStore({ directory, baseUrl: '/relative', secret })).toThrow(/baseUrl/);
  });
});
