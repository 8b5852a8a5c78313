import { createJsonSchemaValidator } from '@webtasks/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './__fixtures__/harness.js';

let harness: Harness;
afterEach(async () => {
  await harness?.app.close();
});

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components: { securitySchemes: Record<string, unknown> };
  servers?: { url: string }[];
};

async function openapi(): Promise<Doc> {
  const response = await harness.app.inject({ url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  return response.json() as Doc;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every public route with its auth', async () => {
    harness = await createHarness({ publicUrl: 'https://webtasks.example.com' });
    const doc = await openapi();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://webtasks.example.com' }]);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/files/{key}',
        '/healthz',
        '/readyz',
        '/{workspaceId}/bundles',
        '/{workspaceId}/bundles/{reuseKey}',
        '/{workspaceId}/bundles/{reuseKey}/diff',
        '/{workspaceId}/bundles/{reuseKey}/export',
        '/{workspaceId}/bundles/{reuseKey}/history',
        '/{workspaceId}/bundles/{reuseKey}/rollback',
        '/{workspaceId}/bundles/{reuseKey}/approve',
        '/{workspaceId}/bundles/{reuseKey}/reject',
        '/{workspaceId}/bundles/{reuseKey}/settings',
        '/{workspaceId}/auth-sessions',
        '/{workspaceId}/auth-sessions/{name}',
        '/{workspaceId}/secrets',
        '/{workspaceId}/secrets/{name}',
        '/{workspaceId}/web-tasks',
        '/{workspaceId}/web-tasks/start',
        '/{workspaceId}/web-tasks/{webTaskId}/cancel',
        '/{workspaceId}/web-tasks/{webTaskId}/events',
        '/{workspaceId}/web-tasks/{webTaskId}/record',
        '/{workspaceId}/web-tasks/{webTaskId}/result',
      ].sort(),
    );
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/{workspaceId}')) continue;
      for (const operation of Object.values(methods) as Array<{ security?: unknown }>)
        expect(operation.security, path).toEqual([{ apiKey: [] }]);
    }
    expect(doc.paths['/{workspaceId}/web-tasks/start']!.post.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.securitySchemes.apiKey).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    const result = doc.paths['/{workspaceId}/web-tasks/{webTaskId}/result']!.get;
    expect(result.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:webTaskId',
      'path:workspaceId',
      'query:waitSeconds',
    ]);
  });

  it('describes the bodies with the protocol schemas: they accept and reject what the handlers do', async () => {
    harness = await createHarness();
    const doc = await openapi();
    const ajv = createJsonSchemaValidator();
    const start = doc.paths['/{workspaceId}/web-tasks/start']!.post;
    const request = ajv.compile(start.requestBody.content['application/json'].schema);
    expect(request({ task: 'x', reuseKey: 'a.b:c-d_e', model: 'sonnet', parameters: { n: 1 } })).toBe(true);
    expect(request({ task: 'x', model: 'gpt-9' })).toBe(false);
    expect(request({ task: 'x', unknownField: 1 })).toBe(false);
    expect(request({})).toBe(false);
    expect(
      request({ task: 'x', proxy: { server: 'socks5://proxy.example:1080', username: 'u', password: 'p' } }),
    ).toBe(true);
    expect(request({ task: 'x', proxy: { server: 'http://proxy.example:3128', token: 't' } })).toBe(false);
    expect(start.requestBody.content['application/json'].schema.properties.proxy.properties).toHaveProperty(
      'server',
    );

    const accepted = ajv.compile(start.responses['202'].content['application/json'].schema);
    const id = await harness.start('a', { task: 'x' });
    expect(accepted({ webTaskId: id, status: 'pending', reuseKey: 'k' })).toBe(true);

    const resultSchema = ajv.compile(
      doc.paths['/{workspaceId}/web-tasks/{webTaskId}/result']!.get.responses['200'].content[
        'application/json'
      ].schema,
    );
    harness.engine.complete(id, { rows: [1, 2] });
    const live = await harness.app.inject({
      url: `/ws_a/web-tasks/${id}/result`,
      headers: { 'x-api-key': 'key-a-0123456789' },
    });
    expect(resultSchema(live.json())).toBe(true);
    expect(resultSchema({ webTaskId: id, status: 'done' })).toBe(false);

    const errorSchema = ajv.compile(start.responses['400'].content['application/json'].schema);
    const bad = await harness.app.inject({
      method: 'POST',
      url: '/ws_a/web-tasks/start',
      headers: { 'x-api-key': 'key-a-0123456789', 'content-type': 'application/json' },
      payload: { task: 1 },
    });
    expect(errorSchema(bad.json())).toBe(true);
  });
});

describe('docs page', () => {
  it('is self-contained HTML listing the operations', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({ url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('/{workspaceId}/web-tasks/start');
    expect(response.body).toContain('Start a web task');
    expect(response.body).not.toMatch(/<script|<link|src="http|href="http/);
  });
});
