import type { WebTaskResult } from '@webtasks/protocol';
import { describe, expect, it } from 'vitest';
import { webTaskToolResult } from './tool-results.js';

const file = (n: number) => ({
  fileId: `file_${n}`,
  name: `report-${n}.pdf`,
  contentType: 'application/pdf',
  sizeBytes: 1000 + n,
  sha256: String(n).repeat(64).slice(0, 64),
  sourceUrl: `https://example.test/report-${n}.pdf`,
  url: `https://files.example.test/acme/files/wt_1/file_${n}-report-${n}.pdf?signature=x`,
  expiresAt: '2030-01-08T00:00:00.000Z',
});

describe('webTaskToolResult', () => {
  it('links every file the task downloaded, with its name, size, type, SHA-256 and expiry', () => {
    const result: WebTaskResult = {
      webTaskId: 'wt_1',
      status: 'completed',
      outcome: 'success',
      reuse: { key: 'reports', used: true, created: false, updated: false },
      cost: { aiUsd: 0, compute: { unit: 'hours', amount: 0 } },
      result: { type: 'inline', data: { reports: [file(1), file(2)], count: 2 } },
    };
    const links = webTaskToolResult(result).content.filter((c) => c.type === 'resource_link');
    expect(links).toEqual(
      [1, 2].map((n) => ({
        type: 'resource_link',
        uri: file(n).url,
        name: file(n).name,
        mimeType: 'application/pdf',
        size: file(n).sizeBytes,
        description: `A file wt_1 downloaded (SHA-256 ${file(n).sha256}; signed URL, expires 2030-01-08T00:00:00.000Z)`,
      })),
    );
  });
});
