// The example bundle of `npm run demo`: collects every book of the Harbour Lane Books
// catalogue (examples/demo-site), following the "Next" link through its pages.
// It is what the agent would save for this task, written by hand against the runtime.
import type { TaskContext } from 'webtasks:runtime';

interface Book {
  title: string;
  author: string;
  year: number;
  priceGbp: number;
  inStock: boolean;
}

export default async function run(ctx: TaskContext): Promise<{ books: Book[] }> {
  // The catalogue's URL is a parameter: the demo serves the site on a random port.
  const catalogueUrl = String(ctx.params.catalogueUrl ?? '');
  if (!/^https?:\/\//.test(catalogueUrl)) {
    throw new Error(
      'Pass the catalogue URL as the catalogueUrl parameter, e.g. http://127.0.0.1:8080/books/',
    );
  }
  await ctx.page.goto(catalogueUrl);

  const books: Book[] = [];
  for (let pageNumber = 1; pageNumber <= 100; pageNumber += 1) {
    const rows = await ctx.page.locator('article.book').evaluateAll((cards) =>
      cards.map((card) => {
        const text = (selector: string) => (card.querySelector(selector)?.textContent ?? '').trim();
        return {
          title: text('.title'),
          author: text('.author span'),
          year: Number(text('.year')),
          priceGbp: Number(text('.price').replace(/[^0-9.]/g, '')),
          inStock: card.querySelector('.availability.in-stock') !== null,
        };
      }),
    );
    books.push(...rows);
    ctx.log.info(`page ${pageNumber}: ${rows.length} books`);

    const next = ctx.page.getByRole('navigation', { name: 'Pagination' }).locator('a[rel="next"]');
    if ((await next.count()) === 0) break;
    await next.click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  return { books };
}
