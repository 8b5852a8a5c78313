import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness } from '../__fixtures__/harness.js';

const assets = mkdtempSync(path.join(tmpdir(), 'webtasks-ui-assets-'));
const empty = mkdtempSync(path.join(tmpdir(), 'webtasks-ui-empty-'));
writeFileSync(path.join(assets, 'app.js'), 'console.log("dashboard")');
writeFileSync(path.join(assets, 'app.css'), 'body{margin:0}');

afterAll(() => {
  rmSync(assets, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe('GET /ui', () => {
  it('serves the page and its assets without a key, under a strict Content-Security-Policy', async () => {
    const { app } = await createHarness({ dashboard: { assetsDir: assets } });
    const page = await app.inject({ method: 'GET', url: '/ui' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script defer src="ui/app.js"></script>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const script = await app.inject({ method: 'GET', url: '/ui/app.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log("dashboard")');
    expect((await app.inject({ method: 'GET', url: '/ui/app.css' })).body).toBe('body{margin:0}');
    const slash = await app.inject({ method: 'GET', url: '/ui/' });
    expect(slash.statusCode).toBe(302);
    expect(new URL(String(slash.headers.location), 'http://host/ui/').pathname).toBe('/ui');
    // Not part of the API document.
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: object };
    expect(Object.keys(openapi.paths).filter((route) => route.startsWith('/ui'))).toEqual([]);
    await app.close();
  });

  it('says how to build the assets when they are missing, and is off with dashboard: false', async () => {
    const unbuilt = await createHarness({ dashboard: { assetsDir: empty } });
    const page = await unbuilt.app.inject({ method: 'GET', url: '/ui' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('pnpm --filter @webtasks/server build');
    expect((await unbuilt.app.inject({ method: 'GET', url: '/ui/app.js' })).statusCode).toBe(404);
    await unbuilt.app.close();

    const off = await createHarness({ dashboard: false });
    expect((await off.app.inject({ method: 'GET', url: '/ui' })).statusCode).toBe(404);
    await off.app.close();
  });
});
