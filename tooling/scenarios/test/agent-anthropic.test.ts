import {
  createInMemoryCreditLedger,
  type JsonObject,
  priceOf,
  roundUsd,
  type TokenUsage,
} from '@webtasks/core';
import {
  anthropicPricing,
  createAnthropicLanguageModel,
  DEFAULT_ANTHROPIC_MODELS,
} from '@webtasks/llm-anthropic';
import {
  type FakeAnthropicServer,
  type FakeRequestView,
  type FixtureSites,
  fakeReply,
  filterCompanies,
  fixtureSimpleTableCompanies,
  startFakeAnthropicServer,
  startFixtureSites,
} from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

const WS = 'ws_agent';
const USAGE: TokenUsage = {
  inputTokens: 1500,
  outputTokens: 250,
  cacheReadTokens: 4000,
  cacheWriteTokens: 800,
};
let sites: FixtureSites;
let fake: FakeAnthropicServer;

beforeAll(async () => {
  sites = await startFixtureSites();
  fake = await startFakeAnthropicServer();
});
afterAll(async () => {
  await fake?.close();
  await sites?.close();
});

function engineWith(options: { credits?: ReturnType<typeof createInMemoryCreditLedger> } = {}) {
  const model = createAnthropicLanguageModel({
    apiKey: fake.apiKey,
    baseURL: fake.baseUrl,
    retry: { initialDelayMs: 10 },
  });
  return createRealEngine({ sites, model, prices: anthropicPricing, ...options });
}

/**
 * A model that behaves like the agent should: look at the page, try the code, submit it.
 * `codeFor` picks the program from what the request says (explore or repair).
 */
function agentScript(codeFor: (view: FakeRequestView) => string, schema?: JsonObject) {
  return (view: FakeRequestView) => {
    const step = view.messages.filter((m) => m.role === 'assistant').length;
    const usage = USAGE;
    if (step === 0) return fakeReply.toolCall('observe', {}, { usage });
    if (step === 1) return fakeReply.toolCall('try_code', { source: codeFor(view) }, { usage });
    return fakeReply.toolCall(
      'submit',
      schema ? { source: codeFor(view), outputSchema: schema } : { source: codeFor(view) },
      { usage },
    );
  };
}

const listCode = (
  base: string,
  card: string,
  name: string,
  batch: string,
) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  const batch = typeof ctx.params.batch === 'string' ? ctx.params.batch : '';
  await ctx.page.goto('${base}/directory' + (batch ? '?batch=' + encodeURIComponent(batch) : ''));
  const rows: Array<{ name: string; batch: string }> = [];
  for (let pageNumber = 1; pageNumber <= 50; pageNumber++) {
    rows.push(
      ...(await ctx.page.locator('${card}').evaluateAll((cards) =>
        cards.map((c) => ({
          name: c.querySelector('${name}')?.textContent?.trim() ?? '',
          batch: (c.querySelector('${batch}')?.textContent ?? '').replace('Batch', '').trim(),
        })),
      )),
    );
    const next = ctx.page.getByRole('link', { name: /^Next/ });
    if ((await next.count()) === 0) break;
    await next.first().click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  return rows;
}
`;

const tableCode = (base: string, teamSize: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/tables/simple');
  const rows = await ctx.page.$$eval('#companies tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
  );
  return rows.map(([name, batch, industry, teamSize]) => ({ name, batch, industry, teamSize: ${teamSize} }));
}
`;

describe('the agent through llm-anthropic and the fake Messages API, on the fixture sites', {
  timeout: 240_000,
}, () => {
  it('explores, reuses with zero requests, repairs after a markup change, and keeps v2 when repair fails', async () => {
    const h = engineWith();
    const v1 = listCode(sites.baseUrl, 'li.company-card', '.company-name', '.company-batch');
    const v2 = listCode(sites.baseUrl, 'article.dir-entry', '.dir-entry__title', '[data-field="batch"]');
    sites.setVariant('default');
    fake.script(agentScript(() => v1));
    const request = {
      task: 'List every company of the batch with its batch',
      startUrl: `${sites.baseUrl}/directory`,
      parameters: { batch: 'S24' },
      reuseKey: 'yc',
      outputSchema: { type: 'array', items: { type: 'object', required: ['name', 'batch'] } },
    };
    const expected = filterCompanies({ batch: 'S24' }).map((c) => ({ name: c.name, batch: c.batch }));

    const before = fake.requestCount;
    const first = await h.engine.run({ workspaceId: WS, request });
    expect(first, JSON.stringify(first)).toMatchObject({
      outcome: 'success',
      reuse: { created: true },
      result: { data: expected },
    });
    const exploreRequests = fake.requestCount - before;
    expect(exploreRequests).toBe(3);
    // The stable prefix is marked for prompt caching and the runtime declaration travels in it.
    const body = fake.requests.at(-1)?.body as { system: Array<{ text: string; cache_control?: unknown }> };
    expect(body.system.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(body.system.map((b) => b.text).join('')).toContain("declare module 'webtasks:runtime'");
    // cost.aiUsd is exactly tokens × the price table.
    const perCall = priceOf(DEFAULT_ANTHROPIC_MODELS.haiku, USAGE, anthropicPricing);
    expect(perCall).toBeGreaterThan(0);
    expect(first.status === 'completed' && first.cost.aiUsd).toBe(roundUsd(perCall * 3));

    // Reuse: not a single request reaches the model API.
    const reuseBefore = fake.requestCount;
    const second = await h.engine.run({ workspaceId: WS, request });
    expect(second).toMatchObject({
      outcome: 'success',
      reuse: { used: true, created: false, updated: false },
      result: { data: expected },
    });
    expect(fake.requestCount).toBe(reuseBefore);

    // The markup changes at the same URLs: the saved code drifts (no rows) → repair → v2.
    sites.setVariant('directory-v2');
    fake.script(agentScript((view) => (view.messages[0]?.text.includes('no longer works') ? v2 : v1)));
    const repaired = await h.engine.run({ workspaceId: WS, request });
    expect(repaired, JSON.stringify(repaired)).toMatchObject({
      outcome: 'success',
      reuse: { used: true, updated: true },
      result: { data: expected },
    });
    const repairRequest = fake.requests.find(
      (r) => r.receivedAt >= 0 && r.view?.messages[0]?.text.includes('no longer works'),
    );
    expect(repairRequest?.view?.messages[0]?.text).toContain('li.company-card'); // the old code
    expect(repairRequest?.view?.messages[0]?.text).toMatch(/no rows, but every earlier run/);
    const diff = await h.engine.bundles.diff({ workspaceId: WS, reuseKey: 'yc', from: 1, to: 2 });
    expect(diff).toContain("-      ...(await ctx.page.locator('li.company-card')");
    expect(diff).toContain("+      ...(await ctx.page.locator('article.dir-entry')");

    // A repair that keeps failing: outcome failed with a code, v2 stays latest.
    sites.setVariant('default');
    fake.script(agentScript(() => v2));
    const failed = await h.engine.run({ workspaceId: WS, request });
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: { code: 'rejected' },
      reuse: { used: false, created: false, updated: false },
    });
    expect((await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'yc' }))?.version).toBe(2);
    await h.close();
  });

  it('infers an output schema when none is given, saves it and enforces it later', async () => {
    const h = engineWith();
    const proposed = {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'batch', 'industry', 'teamSize'],
        properties: { teamSize: { type: 'integer' } },
      },
    };
    fake.script(agentScript(() => tableCode(sites.baseUrl, 'Number(teamSize)'), proposed));
    const request = {
      task: 'Read the companies table',
      startUrl: `${sites.baseUrl}/tables/simple`,
      reuseKey: 'table',
    };
    const first = await h.engine.run({ workspaceId: WS, request });
    expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect((await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'table' }))?.outputSchema).toEqual(
      proposed,
    );
    const firstView = fake.requests.at(-3)?.view;
    expect(firstView?.messages[0]?.text).toContain('Propose a JSON Schema');

    // A version whose output breaks the saved schema (team size as text) is caught and repaired.
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'table',
      source: tableCode(sites.baseUrl, 'teamSize'),
      outputSchema: proposed,
      // Broken on purpose: a verification run would refuse it.
      verify: false,
    });
    fake.script(agentScript(() => tableCode(sites.baseUrl, 'Number(teamSize)')));
    const enforced = await h.engine.run({ workspaceId: WS, request });
    expect(enforced).toMatchObject({
      outcome: 'success',
      reuse: { used: true, updated: true },
      result: {
        data: fixtureSimpleTableCompanies.map((c) => ({
          name: c.name,
          batch: c.batch,
          industry: c.industry,
          teamSize: c.teamSize,
        })),
      },
    });
    const repairText = fake.requests.at(-3)?.view?.messages[0]?.text ?? '';
    expect(repairText).toContain('must be integer');
    await h.close();
  });

  it('sends input that breaks a tool schema back as a tool error naming the path, and goes on', async () => {
    const h = engineWith();
    const code = tableCode(sites.baseUrl, 'Number(teamSize)');
    fake.script((view) => {
      const step = view.messages.filter((m) => m.role === 'assistant').length;
      if (step === 0) return fakeReply.toolCall('act', { action: 'jump', ref: 'e1' }, { usage: USAGE });
      if (step === 1) return fakeReply.toolCall('navigate', { url: 42 }, { usage: USAGE });
      if (step === 2) return fakeReply.toolCall('try_code', { source: code }, { usage: USAGE });
      return fakeReply.toolCall('submit', { source: code }, { usage: USAGE });
    });
    const before = fake.requests.length;
    const result = await h.engine.run({
      workspaceId: WS,
      request: {
        task: 'Read the companies table',
        startUrl: `${sites.baseUrl}/tables/simple`,
        reuseKey: 'tool-schema',
        outputSchema: { type: 'array', minItems: 1 },
      },
    });
    expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'success', reuse: { created: true } });
    const views = fake.requests.slice(before).map((r) => r.view);
    expect(views).toHaveLength(4);
    const lastResult = (index: number) => views[index]?.messages.at(-1)?.toolResults[0];
    expect(lastResult(1)).toMatchObject({
      isError: true,
      content: expect.stringContaining(
        '/action must be equal to one of the allowed values: click, fill, select, check, press, hover, scroll',
      ),
    });
    expect(lastResult(2)).toMatchObject({
      isError: true,
      content: expect.stringContaining(
        'The input of navigate does not match its schema: /url must be string',
      ),
    });
    expect(lastResult(3)).toMatchObject({ isError: false, content: expect.stringContaining('Output:') });
    await h.close();
  });

  it('fails runs that need the model with no-ai-credits-left once credits are spent; reuse still works', async () => {
    const credits = createInMemoryCreditLedger({ [WS]: 0.000_001 });
    const h = engineWith({ credits });
    fake.script(agentScript(() => tableCode(sites.baseUrl, 'Number(teamSize)')));
    const paid = await h.engine.run({
      workspaceId: WS,
      request: {
        task: 'Read the table',
        startUrl: `${sites.baseUrl}/tables/simple`,
        reuseKey: 'credits-a',
        outputSchema: { type: 'array' },
      },
    });
    // The budget ran out during this exploration, which still finished (credits are checked before each call).
    expect(paid).toMatchObject({ outcome: 'failed', error: { code: 'no-ai-credits-left' } });
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'credits-b',
      source: tableCode(sites.baseUrl, 'Number(teamSize)'),
      outputSchema: { type: 'array' },
    });
    const before = fake.requestCount;
    const needsModel = await h.engine.run({
      workspaceId: WS,
      request: { task: 'Read', reuseKey: 'credits-c', outputSchema: { type: 'array' } },
    });
    expect(needsModel).toMatchObject({
      outcome: 'failed',
      error: { code: 'no-ai-credits-left', message: expect.stringContaining('credits') },
    });
    const reuse = await h.engine.run({ workspaceId: WS, request: { task: 'Read', reuseKey: 'credits-b' } });
    expect(reuse).toMatchObject({ outcome: 'success', reuse: { used: true } });
    expect(fake.requestCount).toBe(before);
    await h.close();
  });
});
