// Figure 1, file batch: 50 files of 1 KiB to 5 MiB (about 31 MiB) from the realistic fixture's
// data listing, downloaded by URL by a saved bundle through the engine (streamed into the
// filesystem blob store, hashed, four at a time) against a plain Playwright script that fetches
// them with page.request.get, writes and hashes them; paired alternating rounds.
import { FILES_BASELINE_SOURCE, FILES_SCHEMA, FILES_SOURCE } from '../lib/bundles.mjs';
import { load } from '../lib/packages.mjs';
import { measureWorkload } from './reuse.mjs';

export async function filesFigure(ctx) {
  const { realSites } = ctx;
  const { realDataFiles, realDataFileSha256 } = await load('@webtasks/test-suite');
  const expected = new Map(realDataFiles.map((f) => [f.name, realDataFileSha256(f.name)]));
  const sizes = new Map(realDataFiles.map((f) => [f.name, f.sizeBytes]));
  const startUrl = `${realSites.baseUrl}/real/files/`;
  const check = (output) => {
    const files = output.files ?? [];
    if (files.length !== expected.size)
      throw new Error(`files: ${files.length} stored, expected ${expected.size}`);
    for (const file of files) {
      // Builds before FileRef.sha256 (for before/after runs) are checked by size.
      const intact =
        file.sha256 === undefined
          ? file.sizeBytes === sizes.get(file.name)
          : expected.get(file.name) === file.sha256;
      if (!intact) throw new Error(`files: ${file.name} arrived damaged`);
    }
  };
  const figure = await measureWorkload(ctx, {
    name: 'file batch',
    reuseKey: 'bench-files',
    source: FILES_SOURCE,
    baselineSource: FILES_BASELINE_SOURCE,
    schema: FILES_SCHEMA,
    params: () => ({ startUrl }),
    check,
    sides: ['engine', 'baseline'],
    sampleTimeoutMs: 300_000,
  });
  return {
    ...figure,
    files: expected.size,
    totalBytes: realDataFiles.reduce((sum, f) => sum + f.sizeBytes, 0),
  };
}
