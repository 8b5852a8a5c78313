import type { PageSnapshot } from '@webtasks/core';
import type { Page } from 'playwright-core';
import { type AriaNode, FORM_ROLES, renderSnapshot } from './render-snapshot.js';

/** Options of `observePage`. */
export interface ObservePageOptions {
  maxItemsPerList: number;
  timeoutMs: number;
  /** Cap of the outline in bytes (default 32 KiB, about 8k tokens). */
  maxBytes?: number;
}

const MAX_REQUIRED_LOOKUPS = 100;

function formRefs(nodes: Array<AriaNode | string>, into: string[]): string[] {
  for (const node of nodes) {
    if (typeof node === 'string') continue;
    if (node.ref && FORM_ROLES.has(node.role) && into.length < MAX_REQUIRED_LOOKUPS) into.push(node.ref);
    if (node.children) formRefs(node.children, into);
  }
  return into;
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Snapshot the page for a model: Playwright's AI aria snapshot (whose refs `ref` locator
 * steps resolve), rendered compactly with runs of similar items collapsed, plus the
 * `required` state of form controls, which the aria snapshot does not carry.
 */
export async function observePage(page: Page, options: ObservePageOptions): Promise<PageSnapshot> {
  const [tree, html, title] = await Promise.all([
    page.ariaSnapshotJSON({ mode: 'ai', timeout: options.timeoutMs }) as Promise<unknown>,
    page.content(),
    page.title(),
  ]);
  const nodes = (Array.isArray(tree) ? tree : [tree]) as Array<AriaNode | string>;
  const requiredRefs = new Set<string>();
  await Promise.all(
    formRefs(nodes, []).map(async (ref) => {
      const required = await page
        .locator(`aria-ref=${ref}`)
        .evaluate(
          (el) => (el as HTMLInputElement).required === true || el.getAttribute('aria-required') === 'true',
          undefined,
          {
            timeout: 1000,
          },
        )
        .catch(() => false);
      if (required) requiredRefs.add(ref);
    }),
  );
  const url = page.url();
  const origin = originOf(url);
  const text = renderSnapshot(nodes, {
    maxItemsPerList: options.maxItemsPerList,
    requiredRefs,
    maxBytes: options.maxBytes ?? 32 * 1024,
    ...(origin ? { origin } : {}),
  });
  return { url, title, text, sizeBytes: Buffer.byteLength(text), rawHtmlBytes: Buffer.byteLength(html) };
}
