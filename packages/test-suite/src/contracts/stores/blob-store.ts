import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type BlobStore, WebTasksError } from '@webtasks/core';
import { describe, expect } from 'vitest';
import { type ContractOptions, contractTests, expectWebTasksError } from './contract-options.js';

function randomKey(name = 'result.json'): string {
  return `ws_${randomUUID()}/tasks/wt_${randomUUID()}/${name}`;
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const MIB = 1024 * 1024;

/** `body` in uneven chunks (odd sizes, a pause now and then), as a network body arrives. */
async function* chunked(body: Uint8Array, failAfterBytes?: number): AsyncGenerator<Uint8Array> {
  const sizes = [65_536, 1, 16_383, 300_000, 1_048_577];
  let offset = 0;
  for (let i = 0; offset < body.length; i++) {
    if (failAfterBytes !== undefined && offset >= failAfterBytes) {
      throw new WebTasksError({
        code: 'rejected',
        message: 'the download was refused mid-way (contract test)',
      });
    }
    const size = sizes[i % sizes.length] as number;
    yield body.subarray(offset, offset + size);
    offset += size;
    if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function streaming(store: BlobStore): NonNullable<BlobStore['putStream']> {
  if (!store.putStream)
    throw new Error('this store has no putStream: list the putStream tests in `skip` with the reason');
  return store.putStream.bind(store);
}

/** Keys every blob store must reject with `invalid-request`. */
export const INVALID_BLOB_KEYS = ['', '../x', 'ws/../../x', '/abs', 'a//b', 'a/'] as const;

/**
 * The BlobStore contract: binary round trips (5 MB included), streamed writes (`putStream`: a
 * 9 MiB body in chunks, a body that fails mid-way), content types, overwrite, delete, key
 * validation and signed URLs.
 */
export function describeBlobStoreContract(options: ContractOptions<BlobStore>): void {
  describe(`BlobStore contract: ${options.name}`, () => {
    const test = contractTests(options);

    test('declares specification v1 and its signed URL capability', async (store) => {
      expect(store.specificationVersion).toBe('v1');
      expect(['native', 'server']).toContain(store.capabilities.signedUrls);
    });

    test('put then get returns the same bytes and content type', async (store) => {
      const key = randomKey('data.bin');
      const body = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 0, 10, 13]);
      expect(await store.put({ key, body, contentType: 'application/octet-stream' })).toEqual({
        sizeBytes: body.length,
      });
      const loaded = await store.get({ key });
      expect(loaded?.contentType).toBe('application/octet-stream');
      expect(loaded?.sizeBytes).toBe(body.length);
      expect(loaded?.body).toBeInstanceOf(Uint8Array);
      expect([...(loaded?.body ?? [])]).toEqual([...body]);
    });

    test('a 5 MB binary object round-trips', async (store) => {
      const key = randomKey('trace.zip');
      const body = new Uint8Array(randomBytes(5 * 1024 * 1024));
      expect((await store.put({ key, body, contentType: 'application/zip' })).sizeBytes).toBe(body.length);
      const loaded = await store.get({ key });
      expect(loaded?.sizeBytes).toBe(body.length);
      expect(loaded?.body.length).toBe(body.length);
      expect(digest(loaded?.body ?? new Uint8Array())).toBe(digest(body));
    });

    test('an empty object round-trips', async (store) => {
      const key = randomKey('empty.txt');
      await store.put({ key, body: new Uint8Array(), contentType: 'text/plain' });
      const loaded = await store.get({ key });
      expect(loaded?.sizeBytes).toBe(0);
      expect(loaded?.body.length).toBe(0);
      expect(loaded?.contentType).toBe('text/plain');
    });

    test('putStream stores a 9 MiB body that arrives in chunks: same size, same SHA-256', async (store) => {
      const key = randomKey('download.bin');
      const body = new Uint8Array(randomBytes(9 * MIB));
      const stored = await streaming(store)({ key, body: chunked(body), contentType: 'text/csv' });
      expect(stored).toEqual({ sizeBytes: body.length });
      const loaded = await store.get({ key });
      expect(loaded?.sizeBytes).toBe(body.length);
      expect(loaded?.contentType).toBe('text/csv');
      expect(digest(loaded?.body ?? new Uint8Array())).toBe(digest(body));
    }, 120_000);

    test('putStream of a body that fails mid-way stores nothing: the error comes back, the old object stays', async (store) => {
      const put = streaming(store);
      const fresh = randomKey('cut.bin');
      const replaced = randomKey('kept.bin');
      await store.put({ key: replaced, body: new TextEncoder().encode('old'), contentType: 'text/plain' });
      const body = new Uint8Array(randomBytes(12 * MIB));
      // Past 10 MiB: a store that uploads in parts has sent some already.
      for (const key of [fresh, replaced]) {
        await expectWebTasksError(
          put({ key, body: chunked(body, 10 * MIB), contentType: 'application/octet-stream' }),
          'rejected',
        );
      }
      expect(await store.get({ key: fresh })).toBeUndefined();
      const kept = await store.get({ key: replaced });
      expect(new TextDecoder().decode(kept?.body)).toBe('old');
      expect(kept?.contentType).toBe('text/plain');
    }, 120_000);

    test('putStream of an empty body stores an empty object', async (store) => {
      const key = randomKey('empty.csv');
      expect(
        await streaming(store)({ key, body: chunked(new Uint8Array()), contentType: 'text/csv' }),
      ).toEqual({
        sizeBytes: 0,
      });
      const loaded = await store.get({ key });
      expect(loaded?.sizeBytes).toBe(0);
      expect(loaded?.contentType).toBe('text/csv');
    });

    test('get returns undefined for a missing key', async (store) => {
      expect(await store.get({ key: randomKey() })).toBeUndefined();
    });

    test('put replaces an existing object, content type included', async (store) => {
      const key = randomKey('out');
      await store.put({ key, body: new TextEncoder().encode('{"a":1}'), contentType: 'application/json' });
      await store.put({ key, body: new TextEncoder().encode('a,b\n1,2\n'), contentType: 'text/csv' });
      const loaded = await store.get({ key });
      expect(new TextDecoder().decode(loaded?.body)).toBe('a,b\n1,2\n');
      expect(loaded?.contentType).toBe('text/csv');
      expect(loaded?.sizeBytes).toBe(8);
    });

    test('delete removes the object and reports whether it existed', async (store) => {
      const key = randomKey();
      const sibling = randomKey();
      await store.put({ key, body: new Uint8Array([1]), contentType: 'application/json' });
      await store.put({ key: sibling, body: new Uint8Array([2]), contentType: 'application/json' });
      expect(await store.delete({ key })).toBe(true);
      expect(await store.get({ key })).toBeUndefined();
      expect(await store.delete({ key })).toBe(false);
      expect((await store.get({ key: sibling }))?.body[0]).toBe(2);
    });

    test('keys with .., empty segments or a leading / are rejected with invalid-request', async (store) => {
      const body = new Uint8Array([1]);
      for (const key of INVALID_BLOB_KEYS) {
        await expectWebTasksError(store.put({ key, body, contentType: 'text/plain' }), 'invalid-request');
        await expectWebTasksError(store.get({ key }), 'invalid-request');
        await expectWebTasksError(store.delete({ key }), 'invalid-request');
        await expectWebTasksError(store.signedUrl({ key, expiresInSeconds: 60 }), 'invalid-request');
      }
    });

    test('stored bytes are copies: mutating the input or output changes nothing stored', async (store) => {
      const key = randomKey();
      const body = new Uint8Array([1, 2, 3]);
      await store.put({ key, body, contentType: 'application/octet-stream' });
      body[0] = 9;
      const loaded = await store.get({ key });
      expect(loaded?.body[0]).toBe(1);
      if (loaded) loaded.body[1] = 9;
      expect((await store.get({ key }))?.body[1]).toBe(2);
    });

    test('signedUrl returns a URL and an ISO expiry in the future', async (store) => {
      const key = randomKey('report.csv');
      await store.put({ key, body: new TextEncoder().encode('a\n'), contentType: 'text/csv' });
      const before = Date.now();
      const signed = await store.signedUrl({ key, expiresInSeconds: 3_600, downloadName: 'report.csv' });
      expect(() => new URL(signed.url)).not.toThrow();
      expect(new Date(Date.parse(signed.expiresAt)).toISOString()).toBe(signed.expiresAt);
      const expiresAt = Date.parse(signed.expiresAt);
      expect(expiresAt).toBeGreaterThan(before + 3_500_000);
      expect(expiresAt).toBeLessThan(Date.now() + 3_700_000);
      const other = await store.signedUrl({ key: randomKey('report.csv'), expiresInSeconds: 3_600 });
      expect(other.url).not.toBe(signed.url);
    });

    test.checkSkips();
  });
}
