import { fixtureCompanies } from './companies.js';
import { escapeHtml, htmlPage } from './html.js';
import { createSeededRandom } from './seeded-random.js';
import { html, type SiteHandler } from './site-types.js';

/** One funding round of `/tables/paginated`. */
export interface FixtureFundingRound {
  id: number;
  company: string;
  round: string;
  amountUsd: number;
  date: string;
}

/** One row of `/tables/complex`: revenue (thousands of USD) per half-year. */
export interface FixtureRevenueRow {
  continent: string;
  region: string;
  product: string;
  h1_2023: number;
  h2_2023: number;
  h1_2024: number;
  h2_2024: number;
}

/** Rows per page of `/tables/paginated`. */
export const TABLE_PAGE_SIZE = 10;

const random = createSeededRandom(777);
const ROUNDS = ['Pre-seed', 'Seed', 'Series A', 'Series B', 'Series C'];

/** The 60 funding rounds of `/tables/paginated` (default order: by id). */
export const fixtureFundingRounds: readonly FixtureFundingRound[] = Object.freeze(
  Array.from({ length: 60 }, (_, i) => ({
    id: i + 1,
    company: fixtureCompanies[(i * 7) % fixtureCompanies.length]!.name,
    round: random.pick(ROUNDS),
    amountUsd: random.int(5, 400) * 50_000,
    date: `202${random.int(1, 4)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`,
  })),
);

/** The rows of `/tables/complex`, grouped by continent (one `<tbody>` each) and region (`rowspan`). */
export const fixtureRevenue: readonly FixtureRevenueRow[] = Object.freeze(
  [
    ['Europe', 'North', ['Hardware', 'Services']],
    ['Europe', 'South', ['Hardware', 'Software', 'Services']],
    ['Americas', 'North America', ['Software', 'Services']],
    ['Americas', 'Latin America', ['Hardware']],
    ['Asia', 'East', ['Hardware', 'Software']],
  ].flatMap(([continent, region, products]) =>
    (products as string[]).map((product) => ({
      continent: continent as string,
      region: region as string,
      product,
      h1_2023: random.int(100, 999),
      h2_2023: random.int(100, 999),
      h1_2024: random.int(100, 999),
      h2_2024: random.int(100, 999),
    })),
  ),
);

/** The companies of `/tables/simple` (the first 15 of the directory). */
export const fixtureSimpleTableCompanies = fixtureCompanies.slice(0, 15);

function simple(): string {
  const rows = fixtureSimpleTableCompanies
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.name)}</td><td>${c.batch}</td><td>${escapeHtml(c.industry)}</td><td>${c.teamSize}</td></tr>`,
    )
    .join('\n');
  return htmlPage({
    title: 'Simple table',
    body: `<main><h1>Companies</h1><table id="companies"><caption>Companies (first 15)</caption>
<thead><tr><th>Name</th><th>Batch</th><th>Industry</th><th>Team size</th></tr></thead>
<tbody>
${rows}
</tbody></table></main>`,
  });
}

function complex(): string {
  const continents = [...new Set(fixtureRevenue.map((r) => r.continent))];
  const bodies = continents
    .map((continent) => {
      const rows = fixtureRevenue.filter((r) => r.continent === continent);
      const cells = rows.map((r, i) => {
        const first = i === 0 || rows[i - 1]!.region !== r.region;
        const span = rows.filter((x) => x.region === r.region).length;
        const region = first ? `<th scope="rowgroup" rowspan="${span}">${escapeHtml(r.region)}</th>` : '';
        return `<tr>${region}<td>${r.product}</td><td>${r.h1_2023}</td><td>${r.h2_2023}</td><td>${r.h1_2024}</td><td>${r.h2_2024}</td></tr>`;
      });
      return `<tbody data-continent="${continent}"><tr class="group"><th colspan="6" scope="colgroup">${continent}</th></tr>\n${cells.join('\n')}\n</tbody>`;
    })
    .join('\n');
  const total = (key: 'h1_2023' | 'h2_2023' | 'h1_2024' | 'h2_2024') =>
    fixtureRevenue.reduce((s, r) => s + r[key], 0);
  return htmlPage({
    title: 'Revenue by region',
    body: `<main><h1>Revenue by region (kUSD)</h1><table id="revenue">
<thead><tr><th rowspan="2">Region</th><th rowspan="2">Product</th><th colspan="2">2023</th><th colspan="2">2024</th></tr>
<tr><th>H1</th><th>H2</th><th>H1</th><th>H2</th></tr></thead>
${bodies}
<tfoot><tr><th colspan="2">Total</th><td>${total('h1_2023')}</td><td>${total('h2_2023')}</td><td>${total('h1_2024')}</td><td>${total('h2_2024')}</td></tr></tfoot>
</table></main>`,
  });
}

const SORTABLE = ['id', 'company', 'round', 'amountUsd', 'date'] as const;
type SortKey = (typeof SORTABLE)[number];

/** The rows `/tables/paginated` shows for a sort order, before pagination. */
export function sortFundingRounds(sort: string, dir: string): FixtureFundingRound[] {
  const key: SortKey = (SORTABLE as readonly string[]).includes(sort) ? (sort as SortKey) : 'id';
  const sign = dir === 'desc' ? -1 : 1;
  return [...fixtureFundingRounds].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * (order || a.id - b.id);
  });
}

function paginated(params: URLSearchParams): string {
  const sort = params.get('sort') ?? 'id';
  const dir = params.get('dir') === 'desc' ? 'desc' : 'asc';
  const rows = sortFundingRounds(sort, dir);
  const pageCount = Math.ceil(rows.length / TABLE_PAGE_SIZE);
  const page = Math.min(Math.max(Number.parseInt(params.get('page') ?? '1', 10) || 1, 1), pageCount);
  const href = (p: number, s = sort, d = dir) => `/tables/paginated?sort=${s}&amp;dir=${d}&amp;page=${p}`;
  const header = (key: SortKey, label: string) => {
    const next = key === sort && dir === 'asc' ? 'desc' : 'asc';
    const ariaSort = key === sort ? ` aria-sort="${dir === 'asc' ? 'ascending' : 'descending'}"` : '';
    return `<th${ariaSort}><a href="${href(1, key, next)}">${label}</a></th>`;
  };
  const body = rows
    .slice((page - 1) * TABLE_PAGE_SIZE, page * TABLE_PAGE_SIZE)
    .map(
      (r) =>
        `<tr><td>${r.id}</td><td>${escapeHtml(r.company)}</td><td>${r.round}</td><td>${r.amountUsd}</td><td>${r.date}</td></tr>`,
    )
    .join('\n');
  const next = page < pageCount ? `<a rel="next" href="${href(page + 1)}">Next</a>` : '';
  const prev = page > 1 ? `<a rel="prev" href="${href(page - 1)}">Previous</a>` : '';
  return htmlPage({
    title: 'Funding rounds',
    body: `<main><h1>Funding rounds</h1><table id="rounds">
<thead><tr>${header('id', '#')}${header('company', 'Company')}${header('round', 'Round')}${header('amountUsd', 'Amount (USD)')}${header('date', 'Date')}</tr></thead>
<tbody>
${body}
</tbody></table>
<nav aria-label="Pagination">${prev} <span class="page-info">Page ${page} of ${pageCount}</span> ${next}</nav></main>`,
  });
}

/** `/tables`, `/tables/simple`, `/tables/complex` and `/tables/paginated`. */
export const tablesHandler: SiteHandler = (request) => {
  switch (request.url.pathname) {
    case '/tables':
    case '/tables/':
      return html(
        htmlPage({
          title: 'Tables',
          body: `<main><h1>Tables</h1><ul><li><a href="/tables/simple">Simple table</a></li><li><a href="/tables/complex">Revenue by region (colspan, rowspan, several tbody)</a></li><li><a href="/tables/paginated">Funding rounds (paginated, sortable)</a></li></ul></main>`,
        }),
      );
    case '/tables/simple':
      return html(simple());
    case '/tables/complex':
      return html(complex());
    case '/tables/paginated':
      return html(paginated(request.url.searchParams));
    default:
      return undefined;
  }
};
