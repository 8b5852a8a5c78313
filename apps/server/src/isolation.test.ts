import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, signFileUrl, WORKSPACES } from './__fixtures__/harness.js';

let harness: Harness;
afterEach(async () => {
  await harness?.app.close();
});

function putFile(key: string, text: string, contentType = 'text/csv'): void {
  const body = new TextEncoder().encode(text);
  harness.blobs.set(key, { body, contentType, sizeBytes: body.length });
}

describe('workspace isolation matrix', () => {
  it('no key reaches another workspace: every (key, path workspace, task owner) combination', async () => {
    harness = await createHarness();
    const tasks = { a: await harness.start('a'), b: await harness.start('b') };
    const keys = { a: WORKSPACES.a.apiKey, b: WORKSPACES.b.apiKey };
    const rows: string[] = [];
    for (const keyOf of ['a', 'b'] as const) {
      for (const pathOf of ['a', 'b'] as const) {
        for (const taskOf of ['a', 'b'] as const) {
          const url = `/${WORKSPACES[pathOf].workspaceId}/web-tasks/${tasks[taskOf]}/result`;
          const response = await harness.app.inject({ url, headers: { 'x-api-key': keys[keyOf] } });
          const expected = keyOf !== pathOf ? 401 : pathOf !== taskOf ? 404 : 200;
          rows.push(`key ${keyOf} path ${pathOf} task ${taskOf}: ${response.statusCode}`);
          expect(response.statusCode, rows.at(-1)).toBe(expected);
          if (expected === 200) expect(response.json().webTaskId).toBe(tasks[taskOf]);
          else expect(response.body).not.toContain('"status"');
        }
      }
      // Starting in the other workspace with this key is refused, and nothing is started there.
      const other = keyOf === 'a' ? 'b' : 'a';
      const start = await harness.app.inject({
        method: 'POST',
        url: `/${WORKSPACES[other].workspaceId}/web-tasks/start`,
        headers: { 'x-api-key': keys[keyOf], 'content-type': 'application/json' },
        payload: { task: 'x' },
      });
      expect(start.statusCode).toBe(401);
    }
    expect(harness.engine.startCalls.map((call) => call.workspaceId)).toEqual(['ws_a', 'ws_b']);
  });

  it('a long-poll on another workspace task answers 404 at once instead of waiting', async () => {
    harness = await createHarness();
    const taskB = await harness.start('b');
    const began = Date.now();
    const response = await harness.app.inject({
      url: `/${WORKSPACES.a.workspaceId}/web-tasks/${taskB}/result?waitSeconds=10`,
      headers: { 'x-api-key': WORKSPACES.a.apiKey },
    });
    expect(response.statusCode).toBe(404);
    expect(Date.now() - began).toBeLessThan(500);
  });
});

describe('signed file URLs', () => {
  it('serves the blob with its content type, without an API key', async () => {
    harness = await createHarness();
    putFile('ws_a/tasks/wt_1/result.csv', 'name\nAcme\n');
    const response = await harness.app.inject({
      url: signFileUrl('ws_a/tasks/wt_1/result.csv', Date.now() + 60_000),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toMatch(/sandbox/);
    expect(response.body).toBe('name\nAcme\n');
  });

  it('serves binary bytes unchanged', async () => {
    harness = await createHarness();
    const bytes = new Uint8Array([0, 255, 1, 254, 10, 13, 0]);
    harness.blobs.set('ws_a/bin', {
      body: bytes,
      contentType: 'application/octet-stream',
      sizeBytes: bytes.length,
    });
    const response = await harness.app.inject({ url: signFileUrl('ws_a/bin', Date.now() + 60_000) });
    expect([...response.rawPayload]).toEqual([...bytes]);
  });

  it('refuses expired, tampered and unsigned URLs with 403 forbidden', async () => {
    harness = await createHarness();
    putFile('ws_a/tasks/wt_1/result.csv', 'a');
    putFile('ws_b/tasks/wt_2/secret.csv', 'b-secret');
    const valid = signFileUrl('ws_a/tasks/wt_1/result.csv', Date.now() + 60_000);
    const cases = {
      expired: signFileUrl('ws_a/tasks/wt_1/result.csv', Date.now() - 1_000),
      // A's signature on B's path: the key is bound by the signature.
      otherWorkspace: valid.replace('ws_a/tasks/wt_1/result.csv', 'ws_b/tasks/wt_2/secret.csv'),
      longerExpiry: valid.replace(/expires=\d+/, 'expires=9999999999'),
      noSignature: valid.replace(/&signature=.*/, ''),
      wrongSecret: signFileUrl('ws_a/tasks/wt_1/result.csv', Date.now() + 60_000, 'guessed'),
      traversal: valid.replace(
        'ws_a/tasks/wt_1/result.csv',
        'ws_a/tasks/wt_1/../../../ws_b/tasks/wt_2/secret.csv',
      ),
    };
    for (const [name, url] of Object.entries(cases)) {
      const response = await harness.app.inject({ url });
      expect(response.statusCode, name).toBe(403);
      expect(response.body, name).not.toContain('b-secret');
      expect(response.json().error.code).toBe('forbidden');
    }
  });

  it('answers 404 when a validly signed file is gone', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({ url: signFileUrl('ws_a/gone.csv', Date.now() + 60_000) });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not-found');
  });

  it('sends a safe content-disposition for the download name', async () => {
    harness = await createHarness({
      fileVerifier: () => ({ ok: true, key: 'ws_a/r.csv', downloadName: 'rapport "final"\r\n é.csv' }),
    });
    putFile('ws_a/r.csv', 'x');
    const response = await harness.app.inject({ url: '/files/anything' });
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="rapport _final___ _.csv"; filename*=UTF-8''${encodeURIComponent('rapport "final"\r\n é.csv')}`,
    );
  });

  it('has no /files route when the blob store signs natively', async () => {
    harness = await createHarness({ fileVerifier: undefined });
    putFile('ws_a/r.csv', 'x');
    const response = await harness.app.inject({ url: signFileUrl('ws_a/r.csv', Date.now() + 60_000) });
    expect(response.statusCode).toBe(404);
  });
});
