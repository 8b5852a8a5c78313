import type { BundleSummaryWire } from '@webtasks/protocol';
import { api } from './api.js';
import type { PageContext } from './app.js';
import { formatTime, h, mount } from './dom.js';

/** The workspace's saved automations: one row per reuse key, at its latest version. */
export async function renderBundlesPage(context: PageContext): Promise<void> {
  const { root, session, params, signal } = context;
  const prefix = params.get('prefix') ?? '';
  const input = h('input', {
    id: 'filter-prefix',
    name: 'prefix',
    value: prefix,
    placeholder: 'e.g. shop-',
    spellcheck: 'false',
  });
  const search = new URLSearchParams({ limit: '200' });
  if (prefix) search.set('prefix', prefix);
  const { bundles } = await api<{ bundles: BundleSummaryWire[] }>(session, 'GET', `/bundles?${search}`, {
    signal,
  });
  mount(
    root,
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Bundles'),
      h('span', { class: 'muted' }, `${bundles.length} reuse key${bundles.length === 1 ? '' : 's'}`),
    ),
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': 'Filter bundles',
        onsubmit: (event: Event) => {
          event.preventDefault();
          location.hash = input.value.trim()
            ? `#/bundles?prefix=${encodeURIComponent(input.value.trim())}`
            : '#/bundles';
        },
      },
      h('div', { class: 'field grow' }, h('label', { for: 'filter-prefix' }, 'Reuse key starts with'), input),
      h('button', { type: 'submit', class: 'button primary' }, 'Filter'),
    ),
    h(
      'div',
      { class: 'card flush' },
      bundles.length === 0
        ? h(
            'p',
            { class: 'empty' },
            prefix
              ? 'No reuse key starts with this prefix.'
              : 'No saved bundle yet: a successful run saves its code here.',
          )
        : h(
            'table',
            { class: 'table responsive', 'aria-label': 'Bundles' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Reuse key', 'Latest', 'Origin', 'Saved', 'From run'].map((name) =>
                  h('th', { scope: 'col' }, name),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              bundles.map((bundle) =>
                h(
                  'tr',
                  { 'data-bundle': bundle.reuseKey },
                  h(
                    'td',
                    { 'data-label': 'Reuse key' },
                    h(
                      'a',
                      { href: `#/bundles/${encodeURIComponent(bundle.reuseKey)}`, class: 'row-link' },
                      bundle.reuseKey,
                    ),
                  ),
                  h('td', { 'data-label': 'Latest' }, `v${bundle.version}`),
                  h(
                    'td',
                    { 'data-label': 'Origin' },
                    h('span', { class: `tag tag-${bundle.origin}` }, bundle.origin),
                  ),
                  h('td', { 'data-label': 'Saved' }, formatTime(bundle.createdAt)),
                  h(
                    'td',
                    { 'data-label': 'From run' },
                    bundle.webTaskId
                      ? h(
                          'a',
                          { href: `#/runs/${encodeURIComponent(bundle.webTaskId)}` },
                          h('code', null, bundle.webTaskId),
                        )
                      : '—',
                  ),
                ),
              ),
            ),
          ),
    ),
  );
}
