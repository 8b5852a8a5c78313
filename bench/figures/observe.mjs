// Figure 6: what the agent reads. For every fixture page: the engine's snapshot
// (`session.observe()`), the raw HTML and Playwright's own AI snapshot, in bytes and tokens
// (bytes / 4), and whether every link and control of the page can still be addressed from
// the snapshot (by its ref, or by the name listed for a collapsed run of similar items).
import { load } from '../lib/packages.mjs';

const PAGES = [
  '/',
  '/directory',
  '/directory?page=15',
  '/directory?industry=Fintech',
  'detail',
  'v2:/directory',
  'v2:detail',
  '/form',
  '/files',
  '/tables',
  '/tables/simple',
  '/tables/complex',
  '/tables/paginated',
  '/infinite',
  'all:/infinite',
  '/infinite/scroll',
  '/testing/controls',
  'synthetic:long',
];
/** Pages with long runs of similar items: there the snapshot must be at most half the AI snapshot. */
export const LONG_PAGES = new Set([
  '/directory',
  '/directory?page=15',
  '/directory?industry=Fintech',
  'v2:/directory',
  '/tables/paginated',
  'all:/infinite',
  'synthetic:long',
]);
const CONTROL_ROLES = new Set([
  'link',
  'button',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'spinbutton',
  'switch',
  'slider',
  'tab',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'treeitem',
]);

/** Links and controls of the AI snapshot tree, each with the roles of its ancestors. */
function controlsOf(nodes, into = [], ancestors = []) {
  for (const node of nodes) {
    if (typeof node === 'string' || node === null) continue;
    if (CONTROL_ROLES.has(node.role) && node.ref) into.push({ ...node, ancestors });
    if (node.children) controlsOf(node.children, into, [...ancestors, node.role]);
  }
  return into;
}

const flat = (text) => text.replace(/\s+/g, ' ').trim();

/**
 * How the snapshot lets the agent reach `control`: by its ref, by its name (listed for a
 * collapsed run), by position in a collapsed run of similar items ("… N more similar items
 * (listitem) …": the items shown give the pattern, `nth()` reaches any of them), or not at all.
 */
function addressOf(control, text) {
  if (text.includes(`[ref=${control.ref}]`)) return 'ref';
  const name = flat(control.name ?? '');
  if (name !== '' && text.includes(JSON.stringify(name.slice(0, 30)).slice(0, -1))) return 'name';
  const collapsed = [control.role, ...control.ancestors].some((role) =>
    text.includes(`more similar items (${role})`),
  );
  return collapsed ? 'collapsed' : 'missing';
}

/**
 * A page longer than any fixture page: 1,000 company cards, a 500-row table and 50 page
 * links, to check the token budget holds "however long its lists".
 */
function syntheticLongPage(companies) {
  const cards = Array.from({ length: 1000 }, (_, i) => {
    const c = companies[i % companies.length];
    return `<li class="company-card"><a href="/directory/company/${c.slug}-${i}">${c.name} ${i}</a> <span>${c.batch}</span> · <span>${c.industry}</span><p>${c.tagline}</p></li>`;
  }).join('');
  const rows = Array.from({ length: 500 }, (_, i) => {
    const c = companies[i % companies.length];
    return `<tr><td>${c.name} ${i}</td><td>${c.batch}</td><td>${c.industry}</td><td>${c.teamSize}</td></tr>`;
  }).join('');
  const pages = Array.from({ length: 50 }, (_, i) => `<a href="/directory?page=${i + 1}">${i + 1}</a>`).join(
    ' ',
  );
  return `<!doctype html><html><head><title>Long page</title></head><body><main><h1>Everything</h1>
<ul class="company-list">${cards}</ul>
<table><thead><tr><th>Name</th><th>Batch</th><th>Industry</th><th>Team</th></tr></thead><tbody>${rows}</tbody></table>
<nav aria-label="Pagination">${pages}</nav></main></body></html>`;
}

async function openPage(page, sites, entry, companySlug, companies) {
  if (entry === 'synthetic:long') {
    await page.goto(`${sites.baseUrl}/`);
    await page.setContent(syntheticLongPage(companies));
    return;
  }
  const [mode, rawPath] = entry.includes(':') ? entry.split(':') : ['', entry];
  const path = rawPath === 'detail' ? `/directory/company/${companySlug}` : rawPath;
  sites.setVariant(mode === 'v2' ? 'directory-v2' : 'default');
  await page.goto(`${sites.baseUrl}${path}`);
  if (path.startsWith('/infinite')) await page.locator('li.item').nth(19).waitFor();
  if (mode === 'all') {
    const more = page.getByRole('button', { name: 'Load more' });
    while (await more.isVisible()) {
      const count = await page.locator('li.item').count();
      await more.click();
      await page.locator('li.item').nth(count).waitFor();
    }
  }
}

export async function observeFigure(ctx) {
  const { engineBench, sites, log } = ctx;
  const { fixtureCompanies } = await load('@webtasks/test-suite');
  const session = await engineBench.browser.openSession();
  const page = session.getPage();
  const rows = [];
  try {
    for (const entry of PAGES) {
      await openPage(page, sites, entry, fixtureCompanies[7].slug, fixtureCompanies);
      const snapshot = await session.observe();
      const aiText = await page.ariaSnapshot({ mode: 'ai' });
      const aiTree = await page.ariaSnapshotJSON({ mode: 'ai' });
      const controls = controlsOf(Array.isArray(aiTree) ? aiTree : [aiTree]);
      const addressed = { ref: 0, name: 0, collapsed: 0, missing: 0 };
      const missing = [];
      for (const control of controls) {
        const how = addressOf(control, snapshot.text);
        addressed[how] += 1;
        if (how === 'missing' && missing.length < 5) missing.push(`${control.role} "${control.name ?? ''}"`);
      }
      const aiBytes = Buffer.byteLength(aiText);
      rows.push({
        page: entry,
        long: LONG_PAGES.has(entry),
        observeBytes: snapshot.sizeBytes,
        observeTokens: Math.round(snapshot.sizeBytes / 4),
        aiSnapshotBytes: aiBytes,
        aiSnapshotTokens: Math.round(aiBytes / 4),
        rawHtmlBytes: snapshot.rawHtmlBytes,
        observeToAi: snapshot.sizeBytes / aiBytes,
        observeToHtml: snapshot.sizeBytes / snapshot.rawHtmlBytes,
        controls: controls.length,
        byRef: addressed.ref,
        byName: addressed.name,
        byPosition: addressed.collapsed,
        notAddressable: addressed.missing,
        ...(missing.length ? { missingExamples: missing } : {}),
      });
    }
  } finally {
    sites.setVariant('default');
    await session.close();
  }
  const long = rows.filter((r) => r.long);
  const result = {
    pages: rows,
    maxLongObserveToAi: Math.max(...long.map((r) => r.observeToAi)),
    maxObserveTokens: Math.max(...rows.map((r) => r.observeTokens)),
    maxAiSnapshotTokens: Math.max(...rows.map((r) => r.aiSnapshotTokens)),
    totalObserveBytes: rows.reduce((sum, r) => sum + r.observeBytes, 0),
    totalAiSnapshotBytes: rows.reduce((sum, r) => sum + r.aiSnapshotBytes, 0),
    maxShortObserveToAi: Math.max(...rows.filter((r) => !r.long).map((r) => r.observeToAi)),
    totalControls: rows.reduce((sum, r) => sum + r.controls, 0),
    byPosition: rows.reduce((sum, r) => sum + r.byPosition, 0),
    notAddressable: rows.reduce((sum, r) => sum + r.notAddressable, 0),
  };
  log(
    `  observe: max ${result.maxObserveTokens} tokens, long pages ≤ ${result.maxLongObserveToAi.toFixed(2)}× the AI snapshot, ${result.notAddressable}/${result.totalControls} controls not addressable`,
  );
  return result;
}
