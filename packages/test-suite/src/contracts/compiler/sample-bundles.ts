/**
 * Bundle sources for compiler tests: what a model writes for a directory with pagination.
 * Line numbers matter to the tests: keep `RUN_BODY_FIRST_LINE` in sync.
 */

/** A realistic bundle using the page, locators, `evaluateAll` with DOM code, params, files, ai and log. */
export const DIRECTORY_BUNDLE = `import type { TaskContext } from 'webtasks:runtime';

interface Company {
  name: string;
  url: string;
  batch: string;
}

function clean(text: string | null): string {
  return (text ?? '').replace(/\\s+/g, ' ').trim();
}

export default async function run(ctx: TaskContext<{ startUrl: string; maxPages: number }>) {
  const { page, params, files, ai, log } = ctx;
  await page.goto(params.startUrl, { waitUntil: 'domcontentloaded' });
  const companies: Company[] = [];
  for (let pageNumber = 1; pageNumber <= params.maxPages; pageNumber++) {
    const cards = await page.locator('ul.companies > li').all();
    for (const card of cards) {
      const name = clean(await card.getByRole('heading').textContent());
      const url = (await card.locator('a').first().getAttribute('href')) ?? '';
      const batch = clean(await card.locator('.batch').textContent());
      companies.push({ name, url, batch });
    }
    log.info(\`page \${pageNumber}: \${cards.length} companies\`);
    const next = page.getByRole('link', { name: 'Next' });
    if ((await next.count()) === 0) break;
    await next.click();
    await page.waitForLoadState('domcontentloaded');
  }
  const pdfs = await page.locator('a.report').evaluateAll((anchors: Element[], suffix) =>
    anchors
      .map((anchor) => (anchor as HTMLAnchorElement).href)
      .filter((href) => href.endsWith(suffix)),
    '.pdf',
  );
  const title = await page.evaluate(() => document.title.trim());
  const report = pdfs[0] ? await files.download(pdfs[0], { name: 'report.pdf' }) : null;
  const summary = await ai.extract<{ sector: string }>({
    input: companies.map((company) => company.name).join('\\n'),
    schema: { type: 'object', properties: { sector: { type: 'string' } }, required: ['sector'] },
  });
  return { title, companies, report, sector: summary.sector };
}
`;

/** A bundle whose run body starts at line 4; tests put one statement at `RUN_BODY_FIRST_LINE`. */
export function bundleWithBody(statement: string, beforeRun = ''): string {
  return `import type { TaskContext } from 'webtasks:runtime';
${beforeRun}
export default async function run(ctx: TaskContext) {
  ${statement}
  return { ok: true };
}
`;
}

/** The line of the statement `bundleWithBody` inserts. */
export const RUN_BODY_FIRST_LINE = 4;
