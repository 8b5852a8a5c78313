import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePng, REAL_IMAGE_COUNT } from './assets.js';
import { type RealSites, startRealSites } from './real-sites.js';
import { realAuthors, realExports } from './traits.js';

let sites: RealSites;
beforeAll(async () => {
  sites = await startRealSites();
});
afterAll(async () => {
  await sites?.close();
});

const get = (path: string) => fetch(`${sites.baseUrl}${path}`, { redirect: 'manual' });

describe('startRealSites', () => {
  it('answers an author link with 308 to the trailing slash, and serves the page there', async () => {
    const slug = realAuthors[0]?.slug;
    const moved = await get(`/real/author/${slug}?from=list`);
    expect(moved.status).toBe(308);
    expect(moved.headers.get('location')).toBe(`/real/author/${slug}/?from=list`);
    const page = await get(`/real/author/${slug}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(realAuthors[0]?.name);
  });

  it('serves the single-page app at its root only: a direct visit to an inner route is a 404', async () => {
    expect((await get('/real/spa/')).status).toBe(200);
    expect((await get('/real/spa/app.js')).status).toBe(200);
    expect((await get('/real/spa/inventory.html')).status).toBe(404);
  });

  it('serves a listing of about 400 KB with a stylesheet, a JS bundle, fonts and a dozen images', async () => {
    const listing = await (await get('/real/shop/')).text();
    expect(listing.length).toBeGreaterThan(350_000);
    expect(listing.length).toBeLessThan(500_000);
    expect(listing).toContain('/real/assets/site.css');
    expect(listing).toContain('/real/assets/app.js');
    expect(listing.match(/<img /g)).toHaveLength(REAL_IMAGE_COUNT);
    const css = await get('/real/assets/site.css');
    expect(css.headers.get('cache-control')).toContain('max-age');
    expect(await css.text()).toContain('src:url(/real/assets/shop-serif.woff2)');
    const image = new Uint8Array(await (await get('/real/assets/photo-3.png')).arrayBuffer());
    expect(image).toEqual(generatePng(160, 120, 3));
  });

  it('generates valid PNGs of the size asked, the same bytes every time', () => {
    const png = Buffer.from(generatePng(40, 30, 7));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([40, 30]);
    expect(Buffer.from(generatePng(40, 30, 7)).equals(png)).toBe(true);
  });

  it('serves the exports as attachments', async () => {
    const file = realExports[4];
    const response = await get(`/real/exports/${file?.name}`);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${file?.name}"`);
    expect(await response.text()).toBe(file?.body);
  });

  it('the hanging origin accepts a connection and never answers', async () => {
    const before = sites.hangingConnections();
    const { port } = new URL(sites.hangingOrigin);
    const answered = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      socket.on('data', () => resolve(true));
      setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 500);
    });
    expect(answered).toBe(false);
    expect(sites.hangingConnections()).toBe(before + 1);
    expect(new URL(sites.unreachableOrigin).hostname.endsWith('.invalid')).toBe(true);
  });
});
