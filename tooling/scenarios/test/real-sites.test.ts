import {
  type FixtureSites,
  filterCompanies,
  fixtureFiles,
  fixtureSimpleTableCompanies,
  startFixtureSites,
} from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine, submitReply } from './real-harness.js';

const WS = 'ws_real';
let sites: FixtureSites;
let h: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startFixtureSites();
  h = createRealEngine({ sites });
});
afterAll(async () => {
  await h?.close();
  await sites?.close();
});

const directoryCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  const batch = typeof ctx.params.batch === 'string' ? ctx.params.batch : '';
  await ctx.page.goto('${base}/directory' + (batch ? '?batch=' + encodeURIComponent(batch) : ''));
  const rows: Array<{ name: string; batch: string; url: string }> = [];
  for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
    const found = await ctx.page.locator('li.company-card').evaluateAll((cards) =>
      cards.map((card) => ({
        name: card.querySelector('.company-name')?.textContent?.trim() ?? '',
        batch: card.querySelector('.company-batch')?.textContent?.trim() ?? '',
        url: (card.querySelector('a.company-name') as HTMLAnchorElement | null)?.href ?? '',
      })),
    );
    rows.push(...found);
    const next = ctx.page.getByRole('link', { name: 'Next' });
    if ((await next.count()) === 0) break;
    await next.click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  ctx.log.info('collected ' + rows.length + ' companies');
  return rows;
}
`;

const formCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  const p = ctx.params as { fullName: string; email: string; companyName: string; role: string };
  await ctx.page.goto('${base}/form');
  await ctx.page.getByLabel('Full name').fill(p.fullName);
  await ctx.page.getByLabel('Email').fill(p.email);
  await ctx.page.getByRole('button', { name: 'Continue' }).click();
  await ctx.page.getByLabel('Company name').fill(p.companyName);
  await ctx.page.getByLabel('Your role').selectOption(p.role);
  await ctx.page.getByRole('button', { name: 'Continue' }).click();
  await ctx.page.getByLabel('I confirm these details are correct').check();
  await ctx.page.getByRole('button', { name: 'Submit application' }).click();
  const confirmation = await ctx.page.getByTestId('confirmation-number').innerText();
  return { confirmationNumber: confirmation.trim() };
}
`;

const filesCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/files');
  const links = await ctx.page.locator('li.file a').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
  const files: unknown[] = [];
  for (const link of links) files.push(await ctx.files.download(link));
  return { files };
}
`;

const tableCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/tables/simple');
  const rows = await ctx.page.$$eval('#companies tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
  );
  return rows.map(([name, batch, industry, teamSize]) => ({ name, batch, industry, teamSize: Number(teamSize) }));
}
`;

async function exploreThenReuse(
  reuseKey: string,
  source: string,
  request: Record<string, unknown>,
  schema: Record<string, unknown>,
) {
  h.model.setScript([submitReply(source, schema as never)]);
  const callsBefore = h.model.calls.length;
  const first = await h.engine.run({ workspaceId: WS, request: { reuseKey, ...request } as never });
  const failures = h.events
    .filter((e) => e.type === 'run-result' && !e.ok)
    .map((e) => (e as { message: string }).message);
  expect(first, JSON.stringify({ first, failures })).toMatchObject({
    status: 'completed',
    outcome: 'success',
    reuse: { created: true, updated: true },
  });
  expect(h.model.calls.length - callsBefore).toBe(1);
  const second = await h.engine.run({ workspaceId: WS, request: { reuseKey, ...request } as never });
  expect(second, JSON.stringify(second)).toMatchObject({
    outcome: 'success',
    reuse: { used: true, created: false, updated: false },
  });
  expect(h.model.calls.length - callsBefore).toBe(1);
  expect(second.status === 'completed' && second.cost.aiUsd).toBe(0);
  return { first, second };
}

describe('engine scenarios with real Chromium, isolates and ts-morph on the fixture sites', {
  timeout: 180_000,
}, () => {
  it('collects every company of a batch across pages, filter read from parameters', async () => {
    const { second } = await exploreThenReuse(
      'directory',
      directoryCode(sites.baseUrl),
      {
        task: 'List every company of the batch with name, batch and URL',
        startUrl: `${sites.baseUrl}/directory`,
        parameters: { batch: 'S24' },
      },
      { type: 'array', items: { type: 'object', required: ['name', 'batch', 'url'] } },
    );
    const expected = filterCompanies({ batch: 'S24' });
    expect(expected.length).toBeGreaterThan(20); // more than one page
    if (second.status !== 'completed' || second.outcome !== 'success' || second.result.type !== 'inline')
      throw new Error('inline');
    const rows = second.result.data as Array<{ name: string; batch: string; url: string }>;
    expect(rows.map((r) => r.name)).toEqual(expected.map((c) => c.name));
    expect(rows.every((r) => r.batch === 'S24')).toBe(true);
    expect(rows[0]?.url).toBe(`${sites.baseUrl}/directory/company/${expected[0]?.slug}`);
    // A different parameter value reuses the same code for another batch.
    const other = await h.engine.run({
      workspaceId: WS,
      request: { task: 'x', reuseKey: 'directory', parameters: { batch: 'W21' } },
    });
    if (other.status !== 'completed' || other.outcome !== 'success' || other.result.type !== 'inline')
      throw new Error(JSON.stringify(other));
    expect((other.result.data as unknown[]).length).toBe(filterCompanies({ batch: 'W21' }).length);
  });

  it('fills the three-page form from parameters and reads the confirmation back', async () => {
    const params = {
      fullName: 'Ada Lovelace',
      email: 'ada@example.test',
      companyName: 'Analytical Engines',
      role: 'Founder',
    };
    const { first, second } = await exploreThenReuse(
      'form',
      formCode(sites.baseUrl),
      { task: 'Submit the application form', startUrl: `${sites.baseUrl}/form`, parameters: params },
      {
        type: 'object',
        required: ['confirmationNumber'],
        properties: { confirmationNumber: { type: 'string', minLength: 4 } },
      },
    );
    const submissions = sites.submissions.filter((s) => s.email === 'ada@example.test');
    // Exploration ran the candidate once in a fresh browser, the reuse run once more.
    expect(submissions).toHaveLength(2);
    expect(submissions[1]).toMatchObject({
      fullName: 'Ada Lovelace',
      companyName: 'Analytical Engines',
      role: 'Founder',
    });
    for (const result of [first, second]) {
      if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'inline')
        throw new Error('inline');
      expect(result.result.data).toEqual({ confirmationNumber: submissions[1]?.confirmationNumber });
    }
  });

  it('downloads the file batch into the blob store and references every file', async () => {
    const { second } = await exploreThenReuse(
      'files',
      filesCode(sites.baseUrl),
      { task: 'Download every file', startUrl: `${sites.baseUrl}/files` },
      { type: 'object', required: ['files'] },
    );
    if (second.status !== 'completed' || second.outcome !== 'success' || second.result.type !== 'inline')
      throw new Error('inline');
    const files = (
      second.result.data as { files: Array<{ fileId: string; name: string; sizeBytes: number }> }
    ).files;
    expect(files).toHaveLength(fixtureFiles.length);
    for (const [i, file] of files.entries()) {
      const expected = fixtureFiles[i]!;
      expect(file.sizeBytes).toBe(expected.body.byteLength);
      const stored = await h.blobs.get({
        key: `${WS}/files/${second.webTaskId}/${file.fileId}-${file.name}`,
      });
      expect(Buffer.from(stored!.body).equals(Buffer.from(expected.body))).toBe(true);
    }
  });

  it('reads a table', async () => {
    const { second } = await exploreThenReuse(
      'table',
      tableCode(sites.baseUrl),
      { task: 'Read the companies table', startUrl: `${sites.baseUrl}/tables/simple` },
      { type: 'array', minItems: 1 },
    );
    if (second.status !== 'completed' || second.outcome !== 'success' || second.result.type !== 'inline')
      throw new Error('inline');
    expect(second.result.data).toEqual(
      fixtureSimpleTableCompanies.map((c) => ({
        name: c.name,
        batch: c.batch,
        industry: c.industry,
        teamSize: c.teamSize,
      })),
    );
  });
});
