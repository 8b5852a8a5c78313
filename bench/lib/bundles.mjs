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
