import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIRECTORY_PAGE_SIZE,
  type FixtureSites,
  filterCompanies,
  fixtureCompanies,
  fixtureFiles,
  fixtureItems,
  formConfirmationNumber,
  startFixtureSites,
} from './index.js';

let sites: FixtureSites;
beforeAll(async () => {
  sites = await startFixtureSites();
});
afterAll(async () => {
  await sites.close();
});

async function get(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${sites.baseUrl}${path}`, { redirect: 'manual', ...init });
}

describe('fixture sites', () => {
  it('generates the same 300 companies with unique slugs', () => {
    expect(fixtureCompanies).toHaveLength(300);
    expect(new Set(fixtureCompanies.map((c) => c.slug)).size).toBe(300);
    // A pinned value: changing the seed or the generator breaks saved expectations elsewhere.
    expect(fixtureCompanies[0]?.name).toMatchInlineSnapshot(`"Lumen Labs"`);
  });

  it('paginates and filters the directory, linking detail pages', async () => {
    const page2 = await (await get('/directory?page=2')).text();
    const slugs = [...page2.matchAll(/href="\/directory\/company\/([a-z0-9-]+)"/g)].map((m) => m[1]);
    expect(slugs).toEqual(
      fixtureCompanies.slice(DIRECTORY_PAGE_SIZE, 2 * DIRECTORY_PAGE_SIZE).map((c) => c.slug),
    );
    const filtered = await (await get('/directory?batch=S24')).text();
    const expected = filterCompanies({ batch: 'S24' });
    expect(filtered).toContain(`of ${expected.length} companies`);
    const company = fixtureCompanies[42]!;
    const detail = await (await get(`/directory/company/${company.slug}`)).text();
    expect(detail).toContain(company.founders[0]);
    expect((await get('/directory/company/nope')).status).toBe(404);
  });

  it('switches the directory markup at the same URL', async () => {
    const before = await (await get('/directory')).text();
    sites.setVariant('directory-v2');
    try {
      const after = await (await get('/directory')).text();
      expect(before).toContain('company-card');
      expect(after).not.toContain('company-card');
      expect(after).toContain('dir-entry');
      expect(after).toContain(fixtureCompanies[0]!.name);
    } finally {
      sites.setVariant('default');
    }
    expect(() => sites.setVariant('nope' as never)).toThrow(/unknown variant/);
  });

  it('runs the form with validation, POST-redirect-GET and a recorded submission', async () => {
    const start = await get('/form');
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const post = (path: string, body: Record<string, string>) =>
      get(path, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    const invalid = await post('/form', { fullName: '', email: 'not-an-email' });
    expect(invalid.status).toBe(422);
    const text = await invalid.text();
    expect(text).toContain('Full name is required');
    expect(text).toContain('Enter a valid email address');
    expect(
      (await post('/form', { fullName: 'Ada Lovelace', email: 'ada@example.test', phone: '' })).headers.get(
        'location',
      ),
    ).toBe('/form/company');
    expect(
      (await post('/form/company', { companyName: 'Engines Ltd', role: 'Founder', teamSize: '3' })).status,
    ).toBe(303);
    expect((await post('/form/review', {})).status).toBe(422);
    const done = await post('/form/review', { confirm: 'yes' });
    const input = {
      fullName: 'Ada Lovelace',
      email: 'ada@example.test',
      phone: '',
      companyName: 'Engines Ltd',
      role: 'Founder',
      teamSize: '3',
      newsletter: false,
    };
    const number = formConfirmationNumber(input);
    expect(done.headers.get('location')).toBe(`/form/confirmation?number=${number}`);
    expect(sites.submissions.at(-1)).toEqual({ ...input, confirmationNumber: number });
  });

  it('serves the file batch byte for byte, some as attachments', async () => {
    expect(fixtureFiles).toHaveLength(12);
    for (const file of fixtureFiles) {
      const response = await get(`/files/download/${file.name}`);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(file.body);
      expect(response.headers.get('content-disposition') !== null).toBe(file.attachment);
    }
  });

  it('serves the JS-rendered list from a JSON endpoint and records requests', async () => {
    const page = await (await get('/api/items?offset=90&limit=20')).json();
    expect(page).toEqual({ items: fixtureItems.slice(90), total: 95 });
    expect(sites.requests.some((r) => r.path === '/api/items?offset=90&limit=20')).toBe(true);
  });
});
