import { WebTasksClient } from '@webtasks/client';
import { createScriptedLanguageModel, type ScriptedLanguageModel, toolCall } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_URL, startRealEngineServer } from './__fixtures__/real-engine-server.js';

const NAMES = Array.from({ length: 40 }, (_, i) => `Company ${String(i).padStart(3, '0')}`);
const NAMES_SCHEMA = {
  type: 'array',
  items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
};
const SOURCE = [
  'export default async function run(ctx) {',
  `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
  "  const names = await ctx.page.locator('.name').allTextContents();",
  '  return names.map((name) => ({ name }));',
  '}',
].join('\n');

let model: ScriptedLanguageModel;
let baseUrl: string;
const keys = { ws_e2e_a: 'e2e-key-a', ws_e2e_b: 'e2e-key-b' };

let server: Awaited<ReturnType<typeof startRealEngineServer>>;

beforeAll(async () => {
  model = createScriptedLanguageModel(() => ({ content: [toolCall('submit', { source: SOURCE })] }));
  // The blob store signs for http://files.test; the host is not part of the signature.
  server = await startRealEngineServer(keys, {
    names: NAMES,
    model,
    // Small inline limit so the 40-row result is delivered as a file.
    engine: { limits: { inlineResultBytes: 256 } },
  });
  ({ baseUrl } = server);
});

afterAll(async () => {
  await server.close();
});

function client(workspaceId: keyof typeof keys): WebTasksClient {
  return new WebTasksClient({ workspaceId, apiKey: keys[workspaceId], baseUrl });
}

/** The signed URL, re-pointed at the test server (the host is not signed). */
function local(url: string): string {
  const parsed = new URL(url);
  return `${baseUrl}${parsed.pathname}${parsed.search}`;
}

describe('end to end: client → server → real engine on memory adapters and fakes', () => {
  it('explores, delivers a file result behind a signed URL, then reuses the saved code', async () => {
    const request = {
      task: 'List the company names',
      startUrl: LIST_URL,
      reuseKey: 'companies',
      outputSchema: NAMES_SCHEMA,
    };
    const first = await client('ws_e2e_a').webTasks.run(request, { timeoutMs: 20_000 });
    expect(first).toMatchObject({
      status: 'completed',
      outcome: 'success',
      reuse: { key: 'companies', used: false, created: true, updated: true },
      result: { type: 'file', preview: { rowCount: NAMES.length } },
    });
    if (first.outcome !== 'success' || first.result.type !== 'file')
      throw new Error('expected a file result');
    const download = await fetch(local(first.result.file.url));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(first.result.file.contentType);
    expect(await download.json()).toEqual(NAMES.map((name) => ({ name })));

    // Point A's signature at another key: refused.
    const tampered = local(first.result.file.url).replace('/files/ws_e2e_a/', '/files/ws_e2e_b/');
    expect(tampered).not.toBe(local(first.result.file.url));
    expect((await fetch(tampered)).status).toBe(403);

    const callsAfterExplore = model.calls.length;
    const second = await client('ws_e2e_a').webTasks.run(request, { timeoutMs: 20_000 });
    expect(second).toMatchObject({
      outcome: 'success',
      reuse: { used: true, created: false, updated: false },
    });
    expect(model.calls.length).toBe(callsAfterExplore);
  });

  it("keeps another workspace's task out of reach", async () => {
    const { webTaskId } = await client('ws_e2e_a').webTasks.start({
      task: 'List the company names',
      startUrl: LIST_URL,
    });
    await expect(client('ws_e2e_b').webTasks.result(webTaskId)).rejects.toMatchObject({
      status: 404,
      code: 'not-found',
    });
    await client('ws_e2e_a').webTasks.result(webTaskId, { waitSeconds: 10 });
  });

  it('rejects an invalid request before the engine runs anything', async () => {
    await expect(
      client('ws_e2e_a').webTasks.start({ task: 'x', outputSchema: { type: 'nope' } }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid-request' });
  });

  it('is ready: the readiness probe reaches the engine task store', async () => {
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { engine: 'ok' } });
  });
});
