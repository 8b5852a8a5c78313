// A directory with pagination and detail pages: every company of the Coastline Business
// Directory (./site), list pages first ("Next" until there is none), then each company's
// own page for the fields the list does not show. Written by hand against the runtime, the
// way the agent writes what it saves.
import type { TaskContext } from 'webtasks:runtime';

interface Company {
  name: string;
  industry: string;
  city: string;
  founded: number;
  employees: number;
  website: string;
  profileUrl: string;
}

export default async function run(ctx: TaskContext): Promise<{ companies: Company[] }> {
  const directoryUrl = String(ctx.params.directoryUrl ?? '');
  if (!/^https?:\/\//.test(directoryUrl)) {
    throw new Error(
      'Pass the directory URL as the directoryUrl parameter, e.g. http://127.0.0.1:8765/companies/',
    );
  }
  // Optional: only companies of this industry (case-insensitive); all of them when absent.
  const industry = typeof ctx.params.industry === 'string' ? ctx.params.industry.toLowerCase() : '';

  // 1. The list pages: name, profile link, industry.
  await ctx.page.goto(directoryUrl);
  const listed: Array<{ name: string; href: string; industry: string }> = [];
  for (let pageNumber = 1; pageNumber <= 50; pageNumber += 1) {
    const rows = await ctx.page.locator('li.company').evaluateAll((items) =>
      items.map((item) => {
        const link = item.querySelector('h2 a') as HTMLAnchorElement | null;
        return {
          name: (link?.textContent ?? '').trim(),
          href: link?.href ?? '',
          industry: (item.querySelector('.industry')?.textContent ?? '').trim(),
        };
      }),
    );
    listed.push(...rows);
    ctx.log.info(`list page ${pageNumber}: ${rows.length} companies`);
    const next = ctx.page.getByRole('navigation', { name: 'Pagination' }).locator('a[rel="next"]');
    if ((await next.count()) === 0) break;
    await next.click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }

  // 2. Each company's detail page.
  const companies: Company[] = [];
  for (const entry of listed) {
    if (industry && entry.industry.toLowerCase() !== industry) continue;
    await ctx.page.goto(entry.href);
    const field = async (name: string) =>
      ((await ctx.page.locator(`[data-field="${name}"]`).textContent()) ?? '').trim();
    companies.push({
      name: entry.name,
      industry: await field('industry'),
      city: await field('city'),
      founded: Number(await field('founded')),
      employees: Number((await field('employees')).replace(/[^0-9]/g, '')),
      website: (await ctx.page.locator('[data-field="website"] a').getAttribute('href')) ?? '',
      profileUrl: entry.href,
    });
  }
  ctx.log.info(`${companies.length} companies read from their detail pages`);
  return { companies };
}
