import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { htmlPage } from '../html.js';

/** One file of the `/real/files/` data listing. */
export interface RealDataFile {
  name: string;
  sizeBytes: number;
  contentType: string;
}

/** How many files `/real/files/` lists. */
export const REAL_FILE_COUNT = 50;
const SMALLEST = 1024;
const LARGEST = 5 * 1024 * 1024;
const KINDS = [
  { ext: 'csv', type: 'text/csv' },
  { ext: 'json', type: 'application/json' },
  { ext: 'bin', type: 'application/octet-stream' },
  { ext: 'pdf', type: 'application/pdf' },
] as const;

/**
 * The files of the `/real/files/` listing: sizes spread evenly on a log scale from 1 KiB to
 * 5 MiB (about 31 MiB in all), listed in a mixed order as a public data portal would.
 */
export const realDataFiles: readonly RealDataFile[] = Array.from({ length: REAL_FILE_COUNT }, (_, i) => {
  // A fixed permutation (7 is coprime with 50) so small and large files alternate.
  const rank = (i * 7) % REAL_FILE_COUNT;
  const sizeBytes = Math.round(SMALLEST * (LARGEST / SMALLEST) ** (rank / (REAL_FILE_COUNT - 1)));
  const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
  return { name: `dataset-${String(i + 1).padStart(2, '0')}.${kind.ext}`, sizeBytes, contentType: kind.type };
});

const bodies = new Map<string, Buffer>();

/** The bytes of a listed file: deterministic pseudo-random content (xorshift32 seeded by the name). */
export function realDataFileBody(name: string): Buffer | undefined {
  const file = realDataFiles.find((f) => f.name === name);
  if (!file) return undefined;
  const cached = bodies.get(name);
  if (cached) return cached;
  const body = Buffer.alloc(file.sizeBytes);
  let state = createHash('sha256').update(name).digest().readUInt32LE(0) || 1;
  for (let offset = 0; offset + 4 <= body.length; offset += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    body.writeUInt32LE(state >>> 0, offset);
  }
  bodies.set(name, body);
  return body;
}

/** Hex SHA-256 of a listed file. */
export function realDataFileSha256(name: string): string {
  const body = realDataFileBody(name);
  if (!body) throw new Error(`no listed file ${name}`);
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Answer `/real/files/` (the listing) and its files (attachments with a Content-Length). The
 * listing's links are relative; each file is written in 64 KiB chunks as a real server streams.
 * Returns false for other paths.
 */
export function serveRealFiles(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (path === '/real/files/') {
    const rows = realDataFiles
      .map(
        (f) =>
          `<li><a class="data-file" href="${f.name}">${f.name}</a> <span>${f.sizeBytes} bytes</span></li>`,
      )
      .join('');
    const html = htmlPage({ title: 'Open data files', body: `<h1>Open data files</h1><ul>${rows}</ul>` });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    return true;
  }
  const match = /^\/real\/files\/([\w.-]+)$/.exec(path);
  const file = match ? realDataFiles.find((f) => f.name === match[1]) : undefined;
  const body = file ? realDataFileBody(file.name) : undefined;
  if (!file || !body) return false;
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': String(body.length),
    'content-disposition': `attachment; filename="${file.name}"`,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  let offset = 0;
  const pump = () => {
    while (offset < body.length) {
      const chunk = body.subarray(offset, offset + 65_536);
      offset += chunk.length;
      if (!res.write(chunk)) return;
    }
    res.end();
  };
  res.on('drain', pump);
  pump();
  return true;
}
