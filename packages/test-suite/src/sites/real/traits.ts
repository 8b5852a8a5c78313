import { escapeHtml, htmlPage } from '../html.js';
import type { SiteResponse } from '../site-types.js';

// Small sites, each with one trait of real websites (see the package README): 308 redirects to
// the trailing slash, a statically served single-page app, subresources from hosts that cannot
// be reached, a PDF built in the page and downloaded from a blob: URL, and a burst of downloads.

/** An author of the `/real/authors/` site. */
export interface RealAuthor {
  slug: string;
  name: string;
  born: number;
}

export const realAuthors: readonly RealAuthor[] = [
  { slug: 'ada-lovelace', name: 'Ada Lovelace', born: 1815 },
  { slug: 'charles-babbage', name: 'Charles Babbage', born: 1791 },
  { slug: 'grace-hopper', name: 'Grace Hopper', born: 1906 },
  { slug: 'alan-turing', name: 'Alan Turing', born: 1912 },
  { slug: 'katherine-johnson', name: 'Katherine Johnson', born: 1918 },
];

/** Items the single-page app's inventory route renders. */
export const realInventory: readonly { sku: string; name: string; quantity: number }[] = [
  { sku: 'SKU-100', name: 'Copper kettle', quantity: 4 },
  { sku: 'SKU-101', name: 'Linen apron', quantity: 0 },
  { sku: 'SKU-102', name: 'Oak board', quantity: 12 },
  { sku: 'SKU-103', name: 'Enamel mug', quantity: 31 },
];

/** The prices table of the page whose subresources cannot be reached. */
export const realCdnPrices: readonly { plan: string; monthly: number }[] = [
  { plan: 'Starter', monthly: 9 },
  { plan: 'Team', monthly: 29 },
  { plan: 'Business', monthly: 99 },
];

/** The receipt the `/real/receipt/` page builds in the browser. */
export const REAL_RECEIPT = {
  name: 'receipt-1042.pdf',
  text: '%PDF-1.4\n% webtasks fixture receipt\n1 0 obj << /Order 1042 /Total (GBP 57.40) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
};

/** Files of the `/real/exports/` page (each served as an attachment). */
export const realExports: readonly { name: string; body: string }[] = Array.from({ length: 12 }, (_, i) => ({
  name: `report-${String(i + 1).padStart(2, '0')}.csv`,
  body: `month,value\n${Array.from({ length: 20 + i }, (_, row) => `${row + 1},${(row + 1) * (i + 3)}`).join('\n')}\n`,
}));

/** Where the `/real/cdn/` page loads its third-party subresources from. */
export interface RealTraitOrigins {
  /** An origin that accepts connections and never answers (`http://127.0.0.1:<port>`). */
  hangingOrigin: string;
  /** An origin whose host does not resolve (under `.invalid`). */
  unreachableOrigin: string;
}

const page = (title: string, body: string, head = ''): SiteResponse => ({
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: htmlPage({ title, body, head }),
});

const SPA_APP = `(function () {
  var inventory = ${JSON.stringify(realInventory)};
  var root = document.getElementById('root');
  function render() {
    if (location.pathname === '/real/spa/inventory.html') {
      root.innerHTML = '<h1>Inventory</h1><ul>' + inventory.map(function (item) {
        return '<li class="inventory-item" data-sku="' + item.sku + '"><span class="name">' + item.name +
          '</span> <span class="quantity">' + item.quantity + '</span></li>';
      }).join('') + '</ul>';
    } else {
      root.innerHTML = '<h1>Storefront</h1><nav><a href="/real/spa/inventory.html" data-route>Inventory</a></nav>';
    }
  }
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-route]');
    if (!link) return;
    event.preventDefault();
    // A tick later, like a router that loads the route's data first.
    setTimeout(function () { history.pushState({}, '', link.getAttribute('href')); render(); }, 50);
  });
  window.addEventListener('popstate', render);
  render();
})();`;

const RECEIPT_SCRIPT = `document.getElementById('download').addEventListener('click', function () {
  var blob = new Blob([${JSON.stringify(REAL_RECEIPT.text)}], { type: 'application/pdf' });
  var link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = ${JSON.stringify(REAL_RECEIPT.name)};
  document.body.appendChild(link);
  link.click();
  setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
});`;

/** The trait sites by path (`/real/...`), or undefined for other paths. */
export function realTraitResponse(url: URL, origins: RealTraitOrigins): SiteResponse | undefined {
  const path = url.pathname;
  if (path === '/real/authors/') {
    const items = realAuthors
      .map((a) => `<li><a class="author" href="/real/author/${a.slug}">${escapeHtml(a.name)}</a></li>`)
      .join('');
    return page('Authors', `<h1>Authors</h1><ul>${items}</ul>`);
  }
  const author = /^\/real\/author\/([a-z-]+)(\/?)$/.exec(path);
  if (author) {
    const found = realAuthors.find((a) => a.slug === author[1]);
    if (!found) return undefined;
    // Like many frameworks: the canonical URL ends in a slash, the link does not.
    if (author[2] !== '/') return { status: 308, headers: { location: `${path}/${url.search}` } };
    return page(
      found.name,
      `<h1 class="author-name">${escapeHtml(found.name)}</h1><p>Born <span class="born">${found.born}</span></p>`,
    );
  }
  if (path === '/real/spa/' || path === '/real/spa/index.html') {
    return page(
      'Storefront',
      '<div id="root">Loading…</div>',
      '<script src="/real/spa/app.js" defer></script>',
    );
  }
  if (path === '/real/spa/app.js') {
    return { status: 200, headers: { 'content-type': 'text/javascript' }, body: SPA_APP };
  }
  // /real/spa/inventory.html is not a file: a static server answers 404 (no fallback to index).
  if (path === '/real/cdn/') {
    const { hangingOrigin: hang, unreachableOrigin: gone } = origins;
    const rows = realCdnPrices
      .map((p) => `<tr><td class="plan">${p.plan}</td><td class="monthly">${p.monthly}</td></tr>`)
      .join('');
    return page(
      'Pricing',
      `<h1>Pricing</h1><table id="prices"><tbody>${rows}</tbody></table>
<img src="${hang}/pixel.gif" alt=""><img src="${gone}/badge.png" alt="">
<script async src="${hang}/analytics.js"></script><script async src="${gone}/jquery.min.js"></script>`,
      `<link rel="stylesheet" href="${gone}/css?family=Roboto">
<link rel="stylesheet" href="${hang}/fonts.css">`,
    );
  }
  if (path === '/real/receipt/') {
    return page(
      'Your order',
      `<h1>Order 1042</h1><button id="download">Download receipt</button><script>${RECEIPT_SCRIPT}</script>`,
    );
  }
  if (path === '/real/exports/') {
    const links = realExports
      .map((f) => `<li><a class="export" href="/real/exports/${f.name}" download>${f.name}</a></li>`)
      .join('');
    const all = `document.getElementById('all').addEventListener('click', function () {
  document.querySelectorAll('a.export').forEach(function (a) { a.click(); });
});`;
    return page(
      'Exports',
      `<h1>Exports</h1><button id="all">Download all</button><ul>${links}</ul><script>${all}</script>`,
    );
  }
  const file = /^\/real\/exports\/(report-\d\d\.csv)$/.exec(path);
  const found = file ? realExports.find((f) => f.name === file[1]) : undefined;
  if (found) {
    return {
      status: 200,
      headers: { 'content-type': 'text/csv', 'content-disposition': `attachment; filename="${found.name}"` },
      body: found.body,
    };
  }
  return undefined;
}
