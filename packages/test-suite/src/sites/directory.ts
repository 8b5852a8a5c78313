import {
  FIXTURE_BATCHES,
  FIXTURE_INDUSTRIES,
  type FixtureCompany,
  filterCompanies,
  fixtureCompanies,
} from './companies.js';
import { escapeHtml, htmlPage } from './html.js';
import { html, type SiteHandler, type SiteRequest } from './site-types.js';

/** Companies per directory page. */
export const DIRECTORY_PAGE_SIZE = 20;

interface Listing {
  companies: FixtureCompany[];
  page: number;
  pageCount: number;
  total: number;
  batch: string;
  industry: string;
}

function listing(request: SiteRequest): Listing {
  const batch = request.url.searchParams.get('batch') ?? '';
  const industry = request.url.searchParams.get('industry') ?? '';
  const all = filterCompanies({ batch, industry });
  const pageCount = Math.max(1, Math.ceil(all.length / DIRECTORY_PAGE_SIZE));
  const requested = Number.parseInt(request.url.searchParams.get('page') ?? '1', 10);
  const page = Number.isFinite(requested) ? Math.min(Math.max(requested, 1), pageCount) : 1;
  const start = (page - 1) * DIRECTORY_PAGE_SIZE;
  return {
    companies: all.slice(start, start + DIRECTORY_PAGE_SIZE),
    page,
    pageCount,
    total: all.length,
    batch,
    industry,
  };
}

function pageHref(list: Listing, page: number): string {
  const params = new URLSearchParams();
  if (list.batch) params.set('batch', list.batch);
  if (list.industry) params.set('industry', list.industry);
  params.set('page', String(page));
  return `/directory?${params.toString()}`;
}

function options(values: readonly string[], selected: string, allLabel: string): string {
  const all = `<option value=""${selected === '' ? ' selected' : ''}>${allLabel}</option>`;
  return (
    all + values.map((v) => `<option${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('')
  );
}

function renderListV1(list: Listing): string {
  const cards = list.companies
    .map(
      (c) => `<li class="company-card">
<a class="company-name" href="/directory/company/${c.slug}">${escapeHtml(c.name)}</a>
<span class="company-batch">${c.batch}</span> · <span class="company-industry">${escapeHtml(c.industry)}</span> · <span class="company-location">${escapeHtml(c.location)}</span>
<p class="company-tagline">${escapeHtml(c.tagline)}</p>
</li>`,
    )
    .join('\n');
  const pages = Array.from({ length: list.pageCount }, (_, i) => i + 1)
    .map((p) =>
      p === list.page
        ? `<span aria-current="page">${p}</span>`
        : `<a href="${escapeHtml(pageHref(list, p))}">${p}</a>`,
    )
    .join(' ');
  const prev =
    list.page > 1 ? `<a rel="prev" href="${escapeHtml(pageHref(list, list.page - 1))}">Previous</a>` : '';
  const next =
    list.page < list.pageCount
      ? `<a rel="next" href="${escapeHtml(pageHref(list, list.page + 1))}">Next</a>`
      : '';
  const first = (list.page - 1) * DIRECTORY_PAGE_SIZE + 1;
  return htmlPage({
    title: 'Company directory',
    body: `<main>
<h1>Company directory</h1>
<form class="filters" method="get" action="/directory">
<label for="batch">Batch</label> <select id="batch" name="batch">${options(FIXTURE_BATCHES, list.batch, 'All batches')}</select>
<label for="industry">Industry</label> <select id="industry" name="industry">${options(FIXTURE_INDUSTRIES, list.industry, 'All industries')}</select>
<button type="submit">Filter</button>
</form>
<p class="results-count">Showing ${list.total === 0 ? 0 : first}–${first + list.companies.length - 1} of ${list.total} companies</p>
<ul class="company-list">
${cards}
</ul>
<nav class="pagination" aria-label="Pagination">${prev} ${pages} ${next}</nav>
</main>`,
  });
}

function renderListV2(list: Listing): string {
  const cards = list.companies
    .map(
      (c) => `<article class="dir-entry" data-company="${c.slug}">
<h3 class="dir-entry__title"><a href="/directory/company/${c.slug}">${escapeHtml(c.name)}</a></h3>
<div class="dir-entry__meta"><span data-field="batch">Batch ${c.batch}</span><span data-field="industry">${escapeHtml(c.industry)}</span><span data-field="location">${escapeHtml(c.location)}</span></div>
<div class="dir-entry__pitch">${escapeHtml(c.tagline)}</div>
</article>`,
    )
    .join('\n');
  const next =
    list.page < list.pageCount
      ? `<a class="pager__next" href="${escapeHtml(pageHref(list, list.page + 1))}">Next page →</a>`
      : '';
  const prev =
    list.page > 1
      ? `<a class="pager__prev" href="${escapeHtml(pageHref(list, list.page - 1))}">← Previous page</a>`
      : '';
  return htmlPage({
    title: 'Startups — Directory',
    bodyClass: 'v2',
    body: `<div class="app">
<header><h2>Startup Directory</h2></header>
<form class="search-bar" method="get" action="/directory">
<label>Industry <select name="industry">${options(FIXTURE_INDUSTRIES, list.industry, 'Any industry')}</select></label>
<label>Batch <select name="batch">${options(FIXTURE_BATCHES, list.batch, 'Any batch')}</select></label>
<button type="submit">Apply</button>
</form>
<div class="dir-summary">${list.total} results · page ${list.page} of ${list.pageCount}</div>
<section class="dir-grid">
${cards}
</section>
<div class="pager">${prev} ${next}</div>
</div>`,
  });
}

function renderDetailV1(c: FixtureCompany): string {
  return htmlPage({
    title: `${c.name} — Company directory`,
    body: `<main class="company-detail">
<p><a href="/directory">← Back to directory</a></p>
<h1 class="company-title">${escapeHtml(c.name)}</h1>
<p class="company-tagline">${escapeHtml(c.tagline)}</p>
<table class="company-facts">
<tr><th>Batch</th><td class="fact-batch">${c.batch}</td></tr>
<tr><th>Industry</th><td class="fact-industry">${escapeHtml(c.industry)}</td></tr>
<tr><th>Location</th><td class="fact-location">${escapeHtml(c.location)}</td></tr>
<tr><th>Team size</th><td class="fact-team-size">${c.teamSize}</td></tr>
<tr><th>Website</th><td class="fact-website"><a href="${escapeHtml(c.website)}">${escapeHtml(c.website)}</a></td></tr>
</table>
<h2>Founders</h2>
<ul class="founders">${c.founders.map((f) => `<li class="founder">${escapeHtml(f)}</li>`).join('')}</ul>
<h2>About</h2>
<p class="company-description">${escapeHtml(c.description)}</p>
</main>`,
  });
}

function renderDetailV2(c: FixtureCompany): string {
  return htmlPage({
    title: `${c.name} | Startups`,
    bodyClass: 'v2',
    body: `<div class="profile">
<a class="crumb" href="/directory">Directory</a>
<header class="profile__head"><h2>${escapeHtml(c.name)}</h2><div class="profile__pitch">${escapeHtml(c.tagline)}</div></header>
<dl class="profile__facts">
<dt>Batch</dt><dd data-field="batch">${c.batch}</dd>
<dt>Industry</dt><dd data-field="industry">${escapeHtml(c.industry)}</dd>
<dt>HQ</dt><dd data-field="location">${escapeHtml(c.location)}</dd>
<dt>Employees</dt><dd data-field="team-size">${c.teamSize}</dd>
<dt>Web</dt><dd data-field="website"><a href="${escapeHtml(c.website)}">${escapeHtml(c.website.replace('https://', ''))}</a></dd>
</dl>
<div class="profile__people"><h4>People</h4>${c.founders.map((f) => `<div class="person">${escapeHtml(f)}</div>`).join('')}</div>
<div class="profile__about">${escapeHtml(c.description)}</div>
</div>`,
  });
}

/** `/directory` and `/directory/company/<slug>`, in the markup of the active variant. */
export const directoryHandler: SiteHandler = (request, state) => {
  const { pathname } = request.url;
  const v2 = state.variant === 'directory-v2';
  if (pathname === '/directory' || pathname === '/directory/') {
    const list = listing(request);
    return html(v2 ? renderListV2(list) : renderListV1(list));
  }
  const match = /^\/directory\/company\/([a-z0-9-]+)$/.exec(pathname);
  if (match) {
    const company = fixtureCompanies.find((c) => c.slug === match[1]);
    if (!company) return html(htmlPage({ title: 'Not found', body: '<h1>Company not found</h1>' }), 404);
    return html(v2 ? renderDetailV2(company) : renderDetailV1(company));
  }
  return undefined;
};
