import { htmlPage } from './html.js';
import { createSeededRandom } from './seeded-random.js';
import { html, json, type SiteHandler } from './site-types.js';

/** One item of the JS-rendered list. */
export interface FixtureItem {
  id: number;
  name: string;
  category: string;
  priceCents: number;
}

/** Items per request of the list's JSON endpoint (`/api/items?offset=N`). */
export const INFINITE_PAGE_SIZE = 20;

const random = createSeededRandom(4242);
const ADJECTIVES = ['Compact', 'Silent', 'Rugged', 'Smart', 'Classic', 'Portable', 'Solar', 'Modular'];
const NOUNS = ['Lamp', 'Kettle', 'Backpack', 'Speaker', 'Desk', 'Bicycle', 'Camera', 'Router', 'Chair'];
const CATEGORIES = ['Home', 'Outdoor', 'Electronics', 'Office'];

/** The 95 items of `/infinite` and `/infinite/scroll`, in display order. */
export const fixtureItems: readonly FixtureItem[] = Object.freeze(
  Array.from({ length: 95 }, (_, i) => ({
    id: i + 1,
    name: `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} #${i + 1}`,
    category: random.pick(CATEGORIES),
    priceCents: random.int(500, 50_000),
  })),
);

// Runs in the browser. Renders items from the JSON endpoint; `mode` is 'button' or 'scroll'.
const CLIENT_SCRIPT = (mode: 'button' | 'scroll') => `
(function () {
  var list = document.getElementById('items');
  var status = document.getElementById('status');
  var button = document.getElementById('load-more');
  var offset = 0, loading = false, done = false;
  function render(item) {
    var li = document.createElement('li');
    li.className = 'item';
    li.dataset.id = String(item.id);
    var h = document.createElement('h3'); h.textContent = item.name; li.appendChild(h);
    var c = document.createElement('span'); c.className = 'category'; c.textContent = item.category; li.appendChild(c);
    var p = document.createElement('span'); p.className = 'price'; p.textContent = '$' + (item.priceCents / 100).toFixed(2); li.appendChild(p);
    list.appendChild(li);
  }
  function load() {
    if (loading || done) return;
    loading = true;
    status.textContent = 'Loading…';
    fetch('/api/items?offset=' + offset + '&limit=${INFINITE_PAGE_SIZE}').then(function (r) { return r.json(); }).then(function (page) {
      page.items.forEach(render);
      offset += page.items.length;
      done = offset >= page.total;
      status.textContent = 'Showing ' + offset + ' of ' + page.total + ' items' + (done ? ' (end of list)' : '');
      if (button) button.hidden = done;
      loading = false;
      ${mode === 'scroll' ? 'check();' : ''}
    });
  }
  function check() {
    if (!done && document.getElementById('sentinel').getBoundingClientRect().top < window.innerHeight + 200) load();
  }
  ${mode === 'button' ? "button.addEventListener('click', load);" : "window.addEventListener('scroll', check);"}
  load();
})();`;

function page(mode: 'button' | 'scroll'): string {
  const button = mode === 'button' ? '<button id="load-more" type="button" hidden>Load more</button>' : '';
  return htmlPage({
    title: mode === 'button' ? 'Products (load more)' : 'Products (infinite scroll)',
    head: '<style>.item{height:60px;border-bottom:1px solid #ddd}</style>',
    body: `<main><h1>Products</h1>
<ul id="items" class="items"></ul>
<p id="status" role="status">Loading…</p>
${button}<div id="sentinel"></div>
</main>
<script>${CLIENT_SCRIPT(mode)}</script>`,
  });
}

/** `/infinite` (a "Load more" button), `/infinite/scroll` (loads on scroll) and `/api/items`. */
export const infiniteHandler: SiteHandler = (request) => {
  const { pathname, searchParams } = request.url;
  if (pathname === '/infinite' || pathname === '/infinite/') return html(page('button'));
  if (pathname === '/infinite/scroll') return html(page('scroll'));
  if (pathname === '/api/items') {
    const offset = Math.max(0, Number.parseInt(searchParams.get('offset') ?? '0', 10) || 0);
    const limit = Math.min(50, Math.max(1, Number.parseInt(searchParams.get('limit') ?? '20', 10) || 20));
    return json({ items: fixtureItems.slice(offset, offset + limit), total: fixtureItems.length });
  }
  return undefined;
};
