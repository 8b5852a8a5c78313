import { escapeHtml } from '../html.js';
import { createSeededRandom } from '../seeded-random.js';
import type { SiteResponse } from '../site-types.js';
import { REAL_IMAGE_COUNT, realAssets } from './assets.js';

/** One product of the realistic-weight shop. */
export interface RealProduct {
  id: number;
  title: string;
  brand: string;
  /** Price in cents. */
  priceCents: number;
  inStock: boolean;
  description: string;
}

/** Products in the shop; the listing shows them all on one page (about 400 KB of HTML). */
export const REAL_PRODUCT_COUNT = 300;

const WORDS =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim minim veniam quis nostrud exercitation ullamco laboris'.split(
    ' ',
  );
const BRANDS = ['Harbour', 'Northwind', 'Lumen', 'Quarry & Co', 'Atlas', 'Birchwood'];
const NOUNS = ['Kettle', 'Lamp', 'Backpack', 'Notebook', 'Chair', 'Blanket', 'Mug', 'Clock'];

function generateProducts(): RealProduct[] {
  const random = createSeededRandom(424242);
  return Array.from({ length: REAL_PRODUCT_COUNT }, (_, index) => {
    const words = Array.from({ length: 150 }, () => random.pick(WORDS));
    return {
      id: index + 1,
      title: `${random.pick(BRANDS)} ${random.pick(NOUNS)} ${index + 1}`,
      brand: random.pick(BRANDS),
      priceCents: random.int(499, 24_999),
      inStock: random.next() > 0.2,
      description: words.join(' '),
    };
  });
}

/** The shop's products (deterministic). */
export const realProducts: readonly RealProduct[] = generateProducts();

const HEAD = `<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/real/assets/site.css">
<link rel="preload" href="/real/assets/shop-sans.woff2" as="font" type="font/woff2" crossorigin>
<script src="/real/assets/app.js" defer></script>`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
${HEAD}
</head>
<body>
<header class="u-1"><a href="/real/shop/">Shop</a> <input id="search" placeholder="Search"></header>
${body}
</body>
</html>
`;
}

const price = (cents: number) => `£${(cents / 100).toFixed(2)}`;

function card(product: RealProduct, withImage: boolean): string {
  return `<article class="card u-${product.id % 600}" data-product="${product.id}">
${withImage ? `<img src="/real/assets/photo-${((product.id - 1) % REAL_IMAGE_COUNT) + 1}.png" width="160" height="120" alt="">` : ''}
<h2><a class="product-link" href="/real/shop/product/${product.id}">${escapeHtml(product.title)}</a></h2>
<p class="brand">${escapeHtml(product.brand)}</p><p class="price">${price(product.priceCents)}</p>
<p class="description">${escapeHtml(product.description)}</p>
</article>`;
}

function listing(): string {
  const cards = realProducts.map((product, index) => card(product, index < REAL_IMAGE_COUNT));
  return page('All products', `<h1>All products</h1><main class="grid">\n${cards.join('\n')}\n</main>`);
}

function detail(product: RealProduct): string {
  const gallery = Array.from(
    { length: REAL_IMAGE_COUNT },
    (_, i) => `<img src="/real/assets/photo-${i + 1}.png" width="160" height="120" alt="view ${i + 1}">`,
  ).join('');
  const related = realProducts
    .filter((other) => other.id !== product.id)
    .slice(0, 60)
    .map((other) => card(other, false))
    .join('\n');
  return page(
    product.title,
    `<main><h1 class="product-title">${escapeHtml(product.title)}</h1>
<div class="gallery">${gallery}</div>
<dl><dt>Brand</dt><dd class="product-brand">${escapeHtml(product.brand)}</dd>
<dt>Price</dt><dd class="product-price" data-cents="${product.priceCents}">${price(product.priceCents)}</dd>
<dt>Availability</dt><dd class="product-stock">${product.inStock ? 'In stock' : 'Sold out'}</dd></dl>
<p class="product-description">${escapeHtml(product.description)}</p>
<section><h2>Related</h2><div class="grid">${related}</div></section></main>`,
  );
}

let listingHtml: string | undefined;

/**
 * The realistic-weight shop, by path: `/real/shop/` (every product on one page with a dozen
 * images), `/real/shop/product/<id>` (a gallery of a dozen images, related products) and
 * `/real/assets/*` (stylesheet, JS bundle, two web fonts, images; cacheable like a real
 * site's). Undefined for other paths. Any server can serve it: the bench serves it from a
 * one-connection-at-a-time server and from a concurrent one.
 */
export function realShopResponse(pathname: string): SiteResponse | undefined {
  const asset = realAssets().get(pathname);
  if (asset) {
    return {
      status: 200,
      headers: { 'content-type': asset.contentType, 'cache-control': 'public, max-age=3600' },
      body: asset.body,
    };
  }
  const html = (body: string): SiteResponse => ({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
    body,
  });
  if (pathname === '/real/shop/') {
    listingHtml ??= listing();
    return html(listingHtml);
  }
  const match = /^\/real\/shop\/product\/(\d+)$/.exec(pathname);
  const product = match ? realProducts[Number(match[1]) - 1] : undefined;
  return product ? html(detail(product)) : undefined;
}
