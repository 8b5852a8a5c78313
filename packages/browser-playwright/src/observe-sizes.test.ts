import { type FixtureSites, fixtureCompanies, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider, type PlaywrightBrowserProvider } from './index.js';

// Measures observe() against Playwright's own AI snapshot and the raw HTML on every fixture
// page, and the latency of common commands; prints both tables (run this file alone to read them).

let sites: FixtureSites;
let provider: PlaywrightBrowserProvider;
beforeAll(async () => {
  sites = await startFixtureSites();
  provider = createPlaywrightBrowserProvider({ egress: { allowHosts: [`127.0.0.1:${sites.port}`] } });
});
afterAll(async () => {
  await provider?.close();
  await sites?.close();
});

const PAGES = [
  '/',
  '/directory',
  '/directory?page=15',
  '/directory?industry=Fintech',
  `/directory/company/${fixtureCompanies[7]!.slug}`,
  'v2:/directory',
  `v2:/directory/company/${fixtureCompanies[7]!.slug}`,
  '/form',
  '/files',
  '/tables',
  '/tables/simple',
  '/tables/complex',
  '/tables/paginated',
  '/infinite',
  'all:/infinite',
  '/infinite/scroll',
  '/testing/controls',
];
/** Pages with long runs of similar items, where collapsing must at least halve the AI snapshot. */
const LONG = new Set([
  '/directory',
  '/directory?page=15',
  '/directory?industry=Fintech',
  'v2:/directory',
  '/tables/paginated',
  'all:/infinite',
]);
const TOKEN_BUDGET_BYTES = 8000 * 4;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('observe sizes', () => {
  it('stays within 8k tokens on every fixture page and under half of the AI snapshot on long pages', async () => {
    const session = await provider.openSession();
    const page = session.getPage();
    const rows: Array<Record<string, string | number>> = [];
    try {
      for (const entry of PAGES) {
        const [mode, path] = entry.includes(':/')
          ? (entry.split(/:(?=\/)/) as [string, string])
          : ['', entry];
        sites.setVariant(mode === 'v2' ? 'directory-v2' : 'default');
        await page.goto(`${sites.baseUrl}${path}`);
        if (path.startsWith('/infinite')) await page.locator('li.item').nth(19).waitFor();
        if (mode === 'all') {
          while (await page.getByRole('button', { name: 'Load more' }).isVisible()) {
            const count = await page.locator('li.item').count();
            await page.getByRole('button', { name: 'Load more' }).click();
            await page.locator('li.item').nth(count).waitFor();
          }
        }
        const snapshot = await session.observe();
        const ai = Buffer.byteLength(await page.ariaSnapshot({ mode: 'ai' }));
        rows.push({
          page: entry,
          observeBytes: snapshot.sizeBytes,
          aiSnapshotBytes: ai,
          rawHtmlBytes: snapshot.rawHtmlBytes,
          'observe/ai': Number((snapshot.sizeBytes / ai).toFixed(2)),
          tokens: Math.round(snapshot.sizeBytes / 4),
        });
        expect(snapshot.sizeBytes, entry).toBeLessThanOrEqual(TOKEN_BUDGET_BYTES);
        if (LONG.has(entry)) expect(snapshot.sizeBytes, entry).toBeLessThanOrEqual(ai * 0.5);
      }
    } finally {
      sites.setVariant('default');
      await session.close();
    }
    console.table(rows);
  }, 90_000);

  it('measures command latency', async () => {
    const session = await provider.openSession();
    const run = (command: Parameters<typeof session.execute>[0]['command']) => session.execute({ command });
    const time = async (label: string, times: number, work: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < times; i++) {
        const start = performance.now();
        await work();
        samples.push(performance.now() - start);
      }
      return {
        command: label,
        medianMs: Number(median(samples).toFixed(1)),
        maxMs: Number(Math.max(...samples).toFixed(1)),
      };
    };
    try {
      const rows = [
        await time('goto /tables/simple', 10, () =>
          run({ target: 'page', op: 'goto', args: [`${sites.baseUrl}/tables/simple`] }),
        ),
        await time('title', 20, () => run({ target: 'page', op: 'title', args: [] })),
        await time('locator.textContent', 20, () =>
          run({
            target: 'locator',
            op: 'textContent',
            locator: [{ kind: 'locator', selector: 'td' }, { kind: 'first' }],
            args: [],
          }),
        ),
        await time('evaluate', 20, () =>
          run({ target: 'page', op: 'evaluate', args: [{ fn: '() => document.title' }] }),
        ),
        await time('locator.click', 10, () =>
          run({
            target: 'locator',
            op: 'click',
            locator: [{ kind: 'getByRole', role: 'caption' }],
            args: [],
          }),
        ),
        await time('observe /tables/simple', 10, () => session.observe()),
      ];
      console.table(rows);
      for (const row of rows) expect(row.medianMs).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  }, 90_000);
});
