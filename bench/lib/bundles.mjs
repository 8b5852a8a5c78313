// The code under test: TypeScript bundles as the agent would save them. The engine imports
// them under a reuse key; the baseline runs the very same source as a plain Playwright script.

const HEADER = "import type { TaskContext } from 'webtasks:runtime';\n\n";

/**
 * Walk the pages of the directory (up to `listPages`) collecting detail links, then open
 * `limit` company pages and read their fields one locator at a time (eight page calls each).
 */
export const DIRECTORY_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  const startUrl = String(ctx.params.startUrl);
  const limit = typeof ctx.params.limit === 'number' ? ctx.params.limit : 200;
  const listPages = typeof ctx.params.listPages === 'number' ? ctx.params.listPages : 100;
  await ctx.page.goto(startUrl);
  const links: string[] = [];
  for (let pageNumber = 1; pageNumber <= listPages; pageNumber++) {
    const hrefs = await ctx.page
      .locator('li.company-card a.company-name')
      .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    links.push(...hrefs);
    const next = ctx.page.getByRole('link', { name: 'Next' });
    if ((await next.count()) === 0) break;
    await next.click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  const companies: Array<Record<string, string | number | string[]>> = [];
  for (const link of links.slice(0, limit)) {
    await ctx.page.goto(link);
    const name = await ctx.page.locator('h1.company-title').innerText();
    const tagline = await ctx.page.locator('p.company-tagline').textContent();
    const batch = await ctx.page.locator('td.fact-batch').textContent();
    const industry = await ctx.page.locator('td.fact-industry').textContent();
    const location = await ctx.page.locator('td.fact-location').textContent();
    const teamSize = await ctx.page.locator('td.fact-team-size').textContent();
    const website = await ctx.page.locator('td.fact-website a').getAttribute('href');
    const founders = await ctx.page.locator('li.founder').allTextContents();
    companies.push({
      name: name.trim(),
      tagline: (tagline ?? '').trim(),
      batch: (batch ?? '').trim(),
      industry: (industry ?? '').trim(),
      location: (location ?? '').trim(),
      teamSize: Number(teamSize),
      website: website ?? '',
      founders,
    });
  }
  ctx.log.info('directory links ' + links.length + ', companies read ' + companies.length);
  return { links: links.length, companies };
}
`;

export const DIRECTORY_SCHEMA = {
  type: 'object',
  required: ['links', 'companies'],
  properties: {
    links: { type: 'integer', minimum: 1 },
    companies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'batch', 'industry', 'teamSize', 'founders'],
        properties: {
          name: { type: 'string', minLength: 1 },
          batch: { type: 'string', minLength: 1 },
          teamSize: { type: 'number' },
          founders: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

/** The three-page application form, filled from parameters. */
export const FORM_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  const p = ctx.params as { startUrl: string; fullName: string; email: string; companyName: string; role: string };
  await ctx.page.goto(p.startUrl);
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

export const FORM_SCHEMA = {
  type: 'object',
  required: ['confirmationNumber'],
  properties: { confirmationNumber: { type: 'string', minLength: 4 } },
};

/** The smallest useful task: open a page and read its title. */
export const TRIVIAL_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  await ctx.page.goto(String(ctx.params.startUrl));
  return { title: await ctx.page.title() };
}
`;

export const TRIVIAL_SCHEMA = {
  type: 'object',
  required: ['title'],
  properties: { title: { type: 'string', minLength: 1 } },
};

/**
 * The bridge loop: `calls` times the same page call, timed inside the run itself so that
 * context creation and isolate start are not counted. \`op\` is 'url' or 'count'.
 */
export const BRIDGE_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  const calls = Number(ctx.params.calls);
  await ctx.page.goto(String(ctx.params.startUrl));
  const heading = ctx.page.locator('h1');
  const timings: Record<string, number> = {};
  for (const op of ['url', 'count', 'url', 'count']) {
    const started = Date.now();
    for (let i = 0; i < calls; i++) {
      if (op === 'url') await ctx.page.url();
      else await heading.count();
    }
    timings[op] = Date.now() - started;
  }
  return { calls, urlMs: timings.url, countMs: timings.count };
}
`;

export const BRIDGE_SCHEMA = {
  type: 'object',
  required: ['calls', 'urlMs', 'countMs'],
  properties: { calls: { type: 'integer' }, urlMs: { type: 'number' }, countMs: { type: 'number' } },
};

/**
 * The realistic-weight shop (`realShopResponse` of @webtasks/test-suite): the ~400 KB listing
 * with its stylesheet, JS bundle, fonts and images, then `limit` product pages (a dozen images
 * each) read with four page calls. Every navigation is bounded (`navigationTimeoutMs`), so a
 * server that stops answering fails the run instead of hanging it.
 */
export const SHOP_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  const startUrl = String(ctx.params.startUrl);
  const limit = typeof ctx.params.limit === 'number' ? ctx.params.limit : 200;
  const timeout = typeof ctx.params.navigationTimeoutMs === 'number' ? ctx.params.navigationTimeoutMs : 20000;
  await ctx.page.goto(startUrl, { timeout });
  const links = await ctx.page
    .locator('a.product-link')
    .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
  const products: Array<Record<string, string | number>> = [];
  for (let i = 0; i < limit; i++) {
    await ctx.page.goto(links[i % links.length] as string, { timeout });
    const title = await ctx.page.locator('h1.product-title').innerText();
    const brand = await ctx.page.locator('dd.product-brand').textContent();
    const cents = await ctx.page.locator('dd.product-price').getAttribute('data-cents');
    const stock = await ctx.page.locator('dd.product-stock').textContent();
    products.push({ title: title.trim(), brand: (brand ?? '').trim(), priceCents: Number(cents), stock: (stock ?? '').trim() });
  }
  return { links: links.length, products };
}
`;

export const SHOP_SCHEMA = {
  type: 'object',
  required: ['links', 'products'],
  properties: {
    links: { type: 'integer', minimum: 1 },
    products: {
      type: 'array',
      items: {
        type: 'object',
        required: ['title', 'priceCents'],
        properties: { title: { type: 'string', minLength: 1 } },
      },
    },
  },
};

/** No page work at all: what is left is the fixed cost of a task (figure 8). */
export const EMPTY_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  return { ok: ctx.params.marker === 'bench' };
}
`;

export const EMPTY_SCHEMA = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { const: true } },
};

/**
 * Download every file of a data listing by URL, all at once (the browser adapter runs four at
 * a time), and report each file's name, size and SHA-256.
 */
export const FILES_SOURCE = `${HEADER}export default async function run(ctx: TaskContext) {
  await ctx.page.goto(String(ctx.params.startUrl));
  const urls = await ctx.page
    .locator('a.data-file')
    .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
  const files = await Promise.all(urls.map((url) => ctx.files.download(url)));
  return { files: files.map((f) => ({ name: f.name, sizeBytes: f.sizeBytes, sha256: f.sha256 })) };
}
`;

/**
 * The same batch as a Playwright user writes it: \`page.request.get\` for every link, four at a
 * time, each body written to a folder and hashed.
 */
export const FILES_BASELINE_SOURCE = `import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function run({ page, params }) {
  await page.goto(String(params.startUrl));
  const urls = await page.locator('a.data-file').evaluateAll((anchors) => anchors.map((a) => a.href));
  const folder = await mkdtemp(join(tmpdir(), 'bench-files-'));
  try {
    // Four at a time, as the engine runs them.
    const files = new Array(urls.length);
    let next = 0;
    const worker = async () => {
      while (next < urls.length) {
        const index = next++;
        const url = urls[index];
        const response = await page.request.get(url, { timeout: 120_000 });
        if (!response.ok()) throw new Error(\`\${url}: HTTP \${response.status()}\`);
        const body = await response.body();
        const name = decodeURIComponent(new URL(url).pathname.split('/').pop());
        await writeFile(join(folder, name), body);
        files[index] = { name, sizeBytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return { files };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
`;

export const FILES_SCHEMA = {
  type: 'object',
  required: ['files'],
  properties: {
    files: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'sizeBytes', 'sha256'],
        properties: { name: { type: 'string' }, sizeBytes: { type: 'number' }, sha256: { type: 'string' } },
      },
    },
  },
};
