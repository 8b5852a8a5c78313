import { type FixtureSites, filterCompanies, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine, submitReply } from './real-harness.js';

const WS = 'ws_promotion_real';
let sites: FixtureSites;
let h: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startFixtureSites();
  h = createRealEngine({ sites, limits: { maxExploreAttempts: 2, maxRepairAttempts: 2 } });
});
afterAll(async () => {
  await h?.close();
  await sites?.close();
});

const ROWS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'batch', 'url'],
    properties: {
      name: { type: 'string', minLength: 1 },
      batch: { type: 'string', pattern: '^[SW]\\d{2}$' },
      url: { type: 'string' },
    },
  },
};
const PARAMS_SCHEMA = {
  type: 'object',
  properties: { batch: { type: 'string', pattern: '^[SW]\\d{2}$' } },
  required: ['batch'],
};

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

/** The first markup (`li.company-card`); `url` is the expression of the first page's URL. */
const v1Code = (url: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto(${url});
  const rows: Array<{ name: string; batch: string; url: string }> = [];
  for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
    rows.push(...(await ctx.page.locator('li.company-card').evaluateAll((cards) =>
      cards.map((card) => ({
        name: card.querySelector('.company-name')?.textContent?.trim() ?? '',
        batch: card.querySelector('.company-batch')?.textContent?.trim() ?? '',
        url: (card.querySelector('a.company-name') as HTMLAnchorElement | null)?.href ?? '',
      })),
    )));
    const next = ctx.page.getByRole('link', { name: 'Next' });
    if ((await next.count()) === 0) break;
    await next.click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  return rows;
}
`;

/** The redesigned markup (\`article.dir-entry\`, "Batch S24" labels); \`batchPattern\` reads the batch. */
const v2Code = (base: string, batchPattern: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/directory?batch=' + encodeURIComponent(String(ctx.params.batch)));
  const rows: Array<{ name: string; batch: string; url: string }> = [];
  for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
    const cards = await ctx.page.locator('article.dir-entry').evaluateAll((entries) =>
      entries.map((entry) => ({
        name: entry.querySelector('.dir-entry__title a')?.textContent?.trim() ?? '',
        batchLabel: entry.querySelector('[data-field="batch"]')?.textContent?.trim() ?? '',
        url: (entry.querySelector('.dir-entry__title a') as HTMLAnchorElement | null)?.href ?? '',
      })),
    );
    for (const card of cards) {
      rows.push({ name: card.name, batch: ${batchPattern}.exec(card.batchLabel)?.[1] ?? '', url: card.url });
    }
    const next = ctx.page.locator('a.pager__next');
    if ((await next.count()) === 0) break;
    await next.click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  return rows;
}
`;

const request = (batch: string) => ({
  task: 'List every company of the batch with name, batch and URL',
  startUrl: `${sites.baseUrl}/directory`,
  reuseKey: 'directory-gate',
  outputSchema: ROWS_SCHEMA,
  parameters: { batch },
});

function rowsOf(result: Awaited<ReturnType<typeof h.engine.run>>) {
  if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'inline')
    throw new Error(JSON.stringify(result));
  return result.result.data as Array<{ name: string; batch: string }>;
}

describe('safe promotion on the fixture sites (real Chromium, isolates, ts-morph)', {
  timeout: 240_000,
}, () => {
  it('refuses hard-coded parameters, then a repair that breaks other parameters, and promotes the fix', async () => {
    sites.setVariant('default');
    const base = sites.baseUrl;
    // Explore: the first candidate writes this run's batch into the URL; the audit refuses it.
    h.model.setScript([
      submitReply(v1Code(`'${base}/directory?batch=S24'`)),
      {
        content: [
          {
            type: 'tool-call',
            id: 'fixed',
            name: 'submit',
            input: {
              source: v1Code(`'${base}/directory?batch=' + encodeURIComponent(String(ctx.params.batch))`),
              paramsSchema: PARAMS_SCHEMA,
            },
          },
        ],
      },
    ]);
    const calls = h.model.calls.length;
    const explored = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(explored).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect(h.model.calls.length - calls).toBe(2);
    expect(JSON.stringify(h.model.calls.at(-1)?.messages)).toContain(
      'the program contains \\"S24\\", the value of params.batch: read it from ctx.params.batch',
    );
    expect(rowsOf(explored).length).toBe(filterCompanies({ batch: 'S24' }).length);
    // Another batch reuses the code (and is remembered for replays).
    expect(rowsOf(await h.engine.run({ workspaceId: WS, request: request('W21') })).length).toBe(
      filterCompanies({ batch: 'W21' }).length,
    );

    // The site is redesigned. The first repair reads only summer batches ("Batch S24").
    sites.setVariant('directory-v2');
    h.model.setScript([
      submitReply(v2Code(base, '/Batch (S\\d+)/')),
      submitReply(v2Code(base, '/Batch\\s+([SW]\\d+)/')),
    ]);
    const repaired = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(repaired).toMatchObject({ outcome: 'success', reuse: { used: true, updated: true } });
    expect(rowsOf(repaired).every((row) => row.batch === 'S24')).toBe(true);
    const evidence = JSON.stringify(h.model.calls.at(-1)?.messages);
    expect(evidence).toContain('not for those of an earlier successful run, {\\"batch\\":\\"W21\\"}');
    expect(evidence).toContain('/0/batch must match pattern');
    const replays = h.events.filter((e) => e.type === 'replay');
    expect(replays.map((e) => e.type === 'replay' && e.ok)).toEqual([false, true]);
    const saved = await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'directory-gate' });
    expect(saved).toMatchObject({ version: 2, origin: 'repair', paramsSchema: PARAMS_SCHEMA });
    expect(saved?.source).toContain('[SW]');
    // The promoted version works for the other batch without a model.
    const before = h.model.calls.length;
    const winter = await h.engine.run({ workspaceId: WS, request: request('W21') });
    expect(rowsOf(winter).every((row) => row.batch === 'W21')).toBe(true);
    expect(h.model.calls.length).toBe(before);
  });

  it('fails a run whose parameters break the schema before any browser opens', async () => {
    const before = { calls: h.model.calls.length, requests: sites.requests.length };
    const bad = await h.engine.run({ workspaceId: WS, request: request('summer-2024') });
    expect(bad).toMatchObject({
      outcome: 'failed',
      error: { code: 'rejected', message: expect.stringContaining('/batch: expected must match pattern') },
      reuse: { used: false, created: false, updated: false },
    });
    expect(h.model.calls.length).toBe(before.calls);
    // No page was requested: no browser session ran.
    expect(sites.requests.length).toBe(before.requests);
    expect(
      h.events.some(
        (e) => e.type === 'phase' && e.phase === 'running-saved' && e.webTaskId === bad.webTaskId,
      ),
    ).toBe(false);
  });

  it('review: a repair is proposed and not used while it waits; a pinned version is used after newer saves', async () => {
    const base = sites.baseUrl;
    const key = { workspaceId: WS, reuseKey: 'directory-gate' };
    await h.engine.bundles.setPolicy({ ...key, policy: 'review' });
    // The site goes back to its first markup: v2 finds nothing, and the repair is proposed.
    sites.setVariant('default');
    h.model.setScript([
      submitReply(v1Code(`'${base}/directory?batch=' + encodeURIComponent(String(ctx.params.batch))`)),
    ]);
    const repaired = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(repaired).toMatchObject({
      outcome: 'success',
      reuse: { updated: true, notes: [expect.stringContaining('saved as v3 for review')] },
    });
    expect(await h.engine.bundles.get(key)).toMatchObject({ version: 3, status: 'proposed' });
    // The redesign is back: runs still use v2 (v3 would find nothing here), with no model call.
    sites.setVariant('directory-v2');
    const calls = h.model.calls.length;
    const stillV2 = await h.engine.run({ workspaceId: WS, request: request('W21') });
    expect(rowsOf(stillV2).length).toBe(filterCompanies({ batch: 'W21' }).length);
    expect((await h.engine.getTask({ workspaceId: WS, webTaskId: stillV2.webTaskId }))?.bundleVersion).toBe(
      2,
    );
    expect(h.model.calls.length).toBe(calls);
    await h.engine.bundles.reject({ ...key, version: 3 });

    // Pinned to v1 (the first markup) while the first markup is served: runs use v1.
    sites.setVariant('default');
    await h.engine.bundles.setPolicy({ ...key, policy: 'auto' });
    await h.engine.bundles.pin({ ...key, version: 1 });
    const pinned = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(rowsOf(pinned).length).toBe(filterCompanies({ batch: 'S24' }).length);
    expect((await h.engine.getTask({ workspaceId: WS, webTaskId: pinned.webTaskId }))?.bundleVersion).toBe(1);
    expect(h.model.calls.length).toBe(calls);
    await h.engine.bundles.unpin(key);
  });

  it('a side-effecting form task is repaired without replaying the form with earlier parameters', async () => {
    const person = (n: number) => ({
      fullName: `Person ${n}`,
      email: `person${n}@promotion.test`,
      companyName: `Company ${n}`,
      role: 'Founder',
    });
    const formRequest = (n: number, sideEffects?: boolean) => ({
      task: 'Submit the application form',
      startUrl: `${sites.baseUrl}/form`,
      reuseKey: 'apply',
      outputSchema: {
        type: 'object',
        required: ['confirmationNumber'],
        properties: { confirmationNumber: { type: 'string', minLength: 4 } },
      },
      parameters: person(n),
      ...(sideEffects ? { sideEffects } : {}),
    });
    const submitted = (n: number) => sites.submissions.filter((s) => s.email === person(n).email).length;
    h.model.setScript([submitReply(formCode(sites.baseUrl))]);
    await h.engine.run({ workspaceId: WS, request: formRequest(1) });
    await h.engine.run({ workspaceId: WS, request: formRequest(2) });
    expect([submitted(1), submitted(2)]).toEqual([1, 1]);
    // Earlier parameters are on record: without the flag, a repair would be replayed with them.
    const key = { workspaceId: WS, reuseKey: 'apply' };
    expect((await h.engine.bundles.get(key))?.stats?.samples).toHaveLength(2);
    await h.engine.bundles.import({
      ...key,
      // A version that fails at once (as if the form had moved).
      source: formCode(sites.baseUrl).replace(
        "await ctx.page.goto('",
        "if (p.fullName) throw new Error('The form moved.');\n  await ctx.page.goto('",
      ),
      outputSchema: formRequest(1).outputSchema,
      verify: false,
    });
    h.model.setScript([submitReply(formCode(sites.baseUrl))]);
    const replaysBefore = h.events.filter((e) => e.type === 'replay').length;
    const repaired = await h.engine.run({ workspaceId: WS, request: formRequest(3, true) });
    expect(repaired).toMatchObject({ outcome: 'success', reuse: { used: true, updated: true } });
    // One submission for this run's candidate; none for the earlier people.
    expect([submitted(1), submitted(2), submitted(3)]).toEqual([1, 1, 1]);
    expect(h.events.filter((e) => e.type === 'replay').length).toBe(replaysBefore);
    expect((await h.engine.bundles.get(key))?.sideEffects).toBe(true);
  });
});
