import { describe, expect, it } from 'vitest';
import { deliverResult, rowsOf } from './delivery.js';
import type { BlobStore } from './ports/blob-store.js';

function recordingBlobs() {
  const puts: Array<{ key: string; body: Uint8Array; contentType: string }> = [];
  const blobs: BlobStore = {
    specificationVersion: 'v1',
    capabilities: { signedUrls: 'server' },
    async put(o) {
      puts.push(o);
      return { sizeBytes: o.body.byteLength };
    },
    async get() {
      return undefined;
    },
    async delete() {
      return false;
    },
    async signedUrl(o) {
      return {
        url: `http://files.test/${o.key}?sig=x`,
        expiresAt: new Date(Date.now() + o.expiresInSeconds * 1000).toISOString(),
      };
    },
  };
  return { blobs, puts };
}

describe('deliverResult', () => {
  it('returns small outputs inline without touching the blob store', async () => {
    const { blobs, puts } = recordingBlobs();
    const result = await deliverResult({ output: [{ a: 1 }], workspaceId: 'w', webTaskId: 'wt_1', blobs });
    expect(result).toEqual({ type: 'inline', data: [{ a: 1 }] });
    expect(puts).toHaveLength(0);
  });

  it('stores large outputs as a JSON file with a 7-day URL and a preview', async () => {
    const { blobs, puts } = recordingBlobs();
    const rows = Array.from({ length: 2000 }, (_, i) => ({ name: `Company ${i}`, text: 'x'.repeat(40) }));
    const before = Date.now();
    const result = await deliverResult({
      output: { companies: rows, total: 2000 },
      workspaceId: 'w',
      webTaskId: 'wt_2',
      blobs,
    });
    expect(result.type).toBe('file');
    if (result.type !== 'file') return;
    expect(puts[0]?.key).toBe('w/results/wt_2.json');
    expect(JSON.parse(new TextDecoder().decode(puts[0]?.body)).companies).toHaveLength(2000);
    expect(result.file.sizeBytes).toBe(puts[0]?.body.byteLength);
    expect(result.file.contentType).toBe('application/json');
    const ttl = Date.parse(result.file.expiresAt) - before;
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000 + 5_000);
    expect(result.preview).toEqual({ rowCount: 2000, sample: rows.slice(0, 5) });
  });

  it('honours a custom inline limit exactly at the boundary', async () => {
    const { blobs } = recordingBlobs();
    const output = 'x'.repeat(8); // JSON: 10 bytes with quotes
    expect(
      (await deliverResult({ output, workspaceId: 'w', webTaskId: 'a', blobs, inlineLimitBytes: 10 })).type,
    ).toBe('inline');
    const file = await deliverResult({
      output,
      workspaceId: 'w',
      webTaskId: 'b',
      blobs,
      inlineLimitBytes: 9,
    });
    expect(file.type).toBe('file');
    expect(file.type === 'file' && file.preview).toBeFalsy();
  });

  it('finds rows in arrays and in the largest top-level array', () => {
    expect(rowsOf([1, 2])).toEqual([1, 2]);
    expect(rowsOf({ a: [1], b: [1, 2, 3] })).toEqual([1, 2, 3]);
    expect(rowsOf('text')).toBeUndefined();
  });

  const ref = (fileId: string, name: string) => ({
    fileId,
    name,
    contentType: 'text/csv',
    sizeBytes: 12,
    sha256: 'a'.repeat(64),
    sourceUrl: 'https://example.test/x',
  });

  it('signs every downloaded file in the output for 7 days, inline and in a result file', async () => {
    const { blobs, puts } = recordingBlobs();
    const output = {
      files: [ref('file_1', 'a.csv'), ref('file_2', 'b.csv')],
      summary: { only: ref('file_1', 'a.csv') },
    };
    const inline = await deliverResult({ output, workspaceId: 'w', webTaskId: 'wt_1', blobs });
    if (inline.type !== 'inline') throw new Error('expected inline');
    const data = inline.data as {
      files: Array<{ url: string; expiresAt: string }>;
      summary: { only: { url: string } };
    };
    expect(data.files[0]).toMatchObject({
      ...ref('file_1', 'a.csv'),
      url: 'http://files.test/w/files/wt_1/file_1-a.csv?sig=x',
    });
    expect(data.files[1]?.url).toBe('http://files.test/w/files/wt_1/file_2-b.csv?sig=x');
    expect(data.summary.only.url).toBe(data.files[0]?.url);
    const days = (Date.parse(data.files[0]?.expiresAt ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const asFile = await deliverResult({
      output,
      workspaceId: 'w',
      webTaskId: 'wt_1',
      blobs,
      inlineLimitBytes: 10,
    });
    expect(asFile.type).toBe('file');
    const stored = JSON.parse(new TextDecoder().decode(puts[0]?.body)) as typeof data;
    expect(stored.files[1]?.url).toBe('http://files.test/w/files/wt_1/file_2-b.csv?sig=x');
  });

  it("signs nothing outside the task's own files, whatever the output claims", async () => {
    const { blobs } = recordingBlobs();
    const output = [ref('../other', 'a.csv'), ref('file_1', '../../secret'), { fileId: 'file_3', name: 'x' }];
    const result = await deliverResult({ output, workspaceId: 'w', webTaskId: 'wt_1', blobs });
    expect(result).toEqual({ type: 'inline', data: output });
  });
});
