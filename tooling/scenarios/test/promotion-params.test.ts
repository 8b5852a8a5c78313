import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listSite, NAMES_SCHEMA } from './engine-harness.js';

const WS = 'ws_params';

const PARAMS_SCHEMA = {
  type: 'object',
  properties: {
    batch: { type: 'string', pattern: '^[SW]\\d{2}$' },
    pages: { type: 'integer', minimum: 1, default: 2 },
  },
  required: ['batch'],
};

// Echoes the parameters it ran with, so the test sees the defaults the engine applied.
const echoCode = [
  "import type { TaskContext } from 'webtasks:runtime';",
  'export default async function run(ctx) {',
  `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
  '  const names = await ctx.page.locator(".name").allTextContents();',
  '  return names.map((name) => ({ name: name + " " + ctx.params.batch + "/" + ctx.params.pages }));',
  '}',
].join('\n');

describe('parameter schemas on fakes', () => {
  it('saves the proposed schema, applies its defaults, and rejects bad parameters before anything runs', async () => {
    const h = createHarness({ site: listSite(['Acme', 'Globex']) });
    const request = {
      task: 'List the companies of a batch',
      startUrl: LIST_URL,
      reuseKey: 'batch-list',
      outputSchema: NAMES_SCHEMA,
    };
    // The first proposal refuses this run's own parameters (W21): the agent hears why.
    h.model.setScript([
      {
        content: [
          {
            type: 'tool-call',
            id: 'c1',
            name: 'submit',
            input: {
              source: echoCode,
              paramsSchema: { type: 'object', properties: { batch: { pattern: '^S' } } },
            },
          },
        ],
      },
      {
        content: [
          {
            type: 'tool-call',
            id: 'c2',
            name: 'submit',
            input: { source: echoCode, paramsSchema: PARAMS_SCHEMA },
          },
        ],
      },
    ]);
    const first = await h.engine.run({
      workspaceId: WS,
      request: { ...request, parameters: { batch: 'W21', pages: 1 } },
    });
    expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect(JSON.stringify(h.model.calls[1]?.messages)).toContain(
      "paramsSchema rejects this run's own parameters (/batch: expected must match pattern",
    );
    const saved = await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'batch-list' });
    expect(saved?.paramsSchema).toEqual(PARAMS_SCHEMA);

    // A later run without `pages` gets the schema's default.
    const second = await h.engine.run({
      workspaceId: WS,
      request: { ...request, parameters: { batch: 'S24' } },
    });
    expect(second).toMatchObject({
      outcome: 'success',
      reuse: { used: true, updated: false },
      result: { data: [{ name: 'Acme S24/2' }, { name: 'Globex S24/2' }] },
    });

    // Bad parameters: rejected with the path and what was expected; no model call, no browser,
    // no sandbox run, nothing saved.
    const calls = h.model.calls.length;
    const sessions = h.browser.sessionsOpened;
    const runs = h.sandbox.runs;
    const bad = await h.engine.run({
      workspaceId: WS,
      request: { ...request, parameters: { batch: 'summer', pages: 0 } },
    });
    expect(bad).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: { code: 'rejected' },
      reuse: { used: false, created: false, updated: false },
    });
    const message = bad.status === 'completed' && bad.outcome === 'failed' ? bad.error.message : '';
    expect(message).toContain('parameter schema of reuse key "batch-list" v1');
    expect(message).toContain('/batch: expected must match pattern "^[SW]\\d{2}$"');
    expect(message).toContain('/pages: expected must be >= 1');
    expect(h.model.calls.length).toBe(calls);
    expect(h.browser.sessionsOpened).toBe(sessions);
    expect(h.sandbox.runs).toBe(runs);
    expect((await h.engine.bundles.history({ workspaceId: WS, reuseKey: 'batch-list' })).length).toBe(1);
    await h.engine.close();
  });

  it('imports a bundle with a parameter schema and refuses one that is not an object schema', async () => {
    const h = createHarness({ site: listSite(['Acme']) });
    const imported = await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'imported',
      source: echoCode,
      outputSchema: NAMES_SCHEMA,
      paramsSchema: PARAMS_SCHEMA,
      parameters: { batch: 'S24' },
    });
    expect(imported.paramsSchema).toEqual(PARAMS_SCHEMA);
    // The verification run used the parameters with the schema's defaults.
    expect(imported.verification).toMatchObject({ verified: true, params: { batch: 'S24', pages: 2 } });
    await expect(
      h.engine.bundles.import({
        workspaceId: WS,
        reuseKey: 'imported',
        source: echoCode,
        outputSchema: NAMES_SCHEMA,
        paramsSchema: { type: 'array' },
      }),
    ).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringContaining('--params-schema') });
    await h.engine.close();
  });
});
