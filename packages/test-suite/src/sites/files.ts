import { FIXTURE_BATCHES, filterCompanies } from './companies.js';
import { escapeHtml, htmlPage } from './html.js';
import { html, type SiteHandler } from './site-types.js';

/** One file of the `/files` batch. */
export interface FixtureFile {
  /** File name; the file is served at `/files/download/<name>`. */
  name: string;
  contentType: string;
  /** Served with `Content-Disposition: attachment` (otherwise a plain response). */
  attachment: boolean;
  /** Link text on the `/files` page. */
  title: string;
  body: Uint8Array;
}

/** A small valid single-page PDF showing `lines` (byte offsets in the xref table are exact). */
function pdf(lines: string[]): Uint8Array {
  const text = lines
    .map((line, i) => `BT /F1 12 Tf 72 ${720 - i * 16} Td (${line.replace(/[()\\]/g, '\\$&')}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function generateFiles(): FixtureFile[] {
  const files: FixtureFile[] = [];
  const encoder = new TextEncoder();
  for (const year of [2021, 2022, 2023, 2024]) {
    files.push({
      name: `annual-report-${year}.pdf`,
      title: `Annual report ${year}`,
      contentType: 'application/pdf',
      attachment: year % 2 === 0,
      body: pdf([
        `Annual report ${year}`,
        `Companies funded: ${100 + (year - 2020) * 37}`,
        'webtasks fixture document',
      ]),
    });
  }
  for (const batch of FIXTURE_BATCHES.slice(0, 4)) {
    const rows = filterCompanies({ batch }).map((c) =>
      [c.slug, c.name, c.industry, c.location].map(csvCell).join(','),
    );
    files.push({
      name: `companies-${batch}.csv`,
      title: `Companies of batch ${batch} (CSV)`,
      contentType: 'text/csv; charset=utf-8',
      attachment: batch.startsWith('S'),
      body: encoder.encode(`slug,name,industry,location\n${rows.join('\n')}\n`),
    });
  }
  for (let n = 1; n <= 4; n++) {
    const lines = Array.from(
      { length: 5 + n },
      (_, i) => `Note ${n}.${i + 1}: checksum ${((n * 7919 + i * 104729) % 100000).toString(16)}`,
    );
    files.push({
      name: `release-notes-${n}.txt`,
      title: `Release notes ${n}`,
      contentType: 'text/plain; charset=utf-8',
      attachment: n % 2 === 1,
      body: encoder.encode(`${lines.join('\n')}\n`),
    });
  }
  return files;
}

/** The 12 files of `/files` (4 PDF, 4 CSV, 4 TXT; half served as attachments), the same on every run. */
export const fixtureFiles: readonly FixtureFile[] = Object.freeze(generateFiles());

/** `/files` (the list) and `/files/download/<name>`. */
export const filesHandler: SiteHandler = (request) => {
  const { pathname } = request.url;
  if (pathname === '/files' || pathname === '/files/') {
    const items = fixtureFiles
      .map(
        (f) =>
          `<li class="file"><a href="/files/download/${f.name}">${escapeHtml(f.title)}</a> <span class="file-size">${f.body.byteLength} bytes</span></li>`,
      )
      .join('\n');
    return html(
      htmlPage({
        title: 'Downloads',
        body: `<main><h1>Downloads</h1><ul class="files">\n${items}\n</ul></main>`,
      }),
    );
  }
  const match = /^\/files\/download\/([^/]+)$/.exec(pathname);
  if (!match) return undefined;
  const file = fixtureFiles.find((f) => f.name === decodeURIComponent(match[1] ?? ''));
  if (!file) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'No such file' };
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    'content-length': String(file.body.byteLength),
  };
  if (file.attachment) headers['content-disposition'] = `attachment; filename="${file.name}"`;
  return { status: 200, headers, body: file.body };
};
