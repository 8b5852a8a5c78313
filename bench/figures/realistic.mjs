// Figure 1, realistic variants: the realistic-weight shop (a ~400 KB listing, then product pages
// with a stylesheet, a JS bundle, web fonts and a dozen images) served by a concurrent server
// and by a one-connection-at-a-time server, each run by the engine and as a plain script.
import { SHOP_SCHEMA, SHOP_SOURCE } from '../lib/bundles.mjs';
import { measureWorkload } from './reuse.mjs';

const NAVIGATION_TIMEOUT_MS = 20_000;

export async function realisticFigures(ctx) {
  const { shops, detailPages } = ctx;
  const figures = {};
  for (const [variant, server] of [
    ['concurrent', shops.concurrent],
    ['oneWorker', shops.oneWorker],
  ]) {
    const startUrl = `${server.baseUrl}/real/shop/`;
    figures[variant] = await measureWorkload(ctx, {
      name: `shop ${variant}`,
      reuseKey: `bench-shop-${variant}`,
      source: SHOP_SOURCE,
      schema: SHOP_SCHEMA,
      params: () => ({ startUrl, limit: detailPages, navigationTimeoutMs: NAVIGATION_TIMEOUT_MS }),
      warmParams: () => ({ startUrl, limit: 2, navigationTimeoutMs: NAVIGATION_TIMEOUT_MS }),
      check: (output) => {
        if (output.products?.length !== detailPages)
          throw new Error(`shop: ${output.products?.length} products read, expected ${detailPages}`);
      },
      sides: ['engine', 'baseline'],
      // Each navigation is bounded inside the run; this bounds anything else.
      sampleTimeoutMs: 120_000 + detailPages * 5_000,
    });
  }
  return figures;
}
