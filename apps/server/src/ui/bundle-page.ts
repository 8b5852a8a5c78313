import type { BundleSettingsWire, BundleSummaryWire, BundleWire } from '@webtasks/protocol';
import { api, download } from './api.js';
import type { PageContext } from './app.js';
import { decide, liveVersion, reviewButtons, reviewSummary, statusTag } from './bundle-review.js';
import { card, formatTime, h, mount, notice } from './dom.js';

/** A unified diff with each line coloured by its kind. */
function diffView(diff: string): HTMLElement {
  const lines = diff.replace(/\n$/, '').split('\n');
  return h(
    'pre',
    { class: 'diff', tabindex: '0', 'aria-label': 'Diff' },
    lines.map((line) => {
      const kind = line.startsWith('@@')
        ? 'hunk'
        : line.startsWith('+++') || line.startsWith('---')
          ? 'file'
          : line.startsWith('+')
            ? 'add'
            : line.startsWith('-')
              ? 'del'
              : 'ctx';
      return h('span', { class: `diff-line diff-${kind}` }, line, '\n');
    }),
  );
}

/** One reuse key: its version history, diffs between any two versions, rollback and export. */
export async function renderBundlePage(context: PageContext, reuseKey: string): Promise<void> {
  const { root, session, params, signal } = context;
  const base = `/bundles/${encodeURIComponent(reuseKey)}`;
  const [{ versions }, latest, settings] = await Promise.all([
    api<{ versions: BundleSummaryWire[] }>(session, 'GET', `${base}/history?limit=200`, { signal }),
    api<BundleWire>(session, 'GET', base, { signal }),
    api<BundleSettingsWire>(session, 'GET', `${base}/settings`, { signal }),
  ]);
  const newest = latest.version;
  const live = liveVersion(versions, settings);
  /** Show the page again with a message on top, opened on the diff `from` → `to`. */
  const reopen = (message: string, from: number, to: number) => {
    sessionStorage.setItem('webtasks.dashboard.flash', message);
    return renderBundlePage(
      { ...context, params: new URLSearchParams({ from: String(from), to: String(to) }) },
      reuseKey,
    );
  };
  const review = (version: number) => async (decision: 'approve' | 'reject') => {
    try {
      await decide(session, reuseKey, version, decision, signal);
      const verdict = decision === 'approve' ? 'Approved' : 'Rejected';
      await reopen(`${verdict} v${version}.`, live ?? version, version);
    } catch (error) {
      context.fail(error);
    }
  };
  /** The version saved before `version`, whatever order the history comes in. */
  const previousOf = (version: number) =>
    versions.reduce<number | undefined>(
      (best, other) =>
        other.version < version && (best === undefined || other.version > best) ? other.version : best,
      undefined,
    );
  const defaultTo = Number(params.get('to') ?? newest);
  const defaultFrom = Number(params.get('from') ?? previousOf(defaultTo) ?? defaultTo);
  const messages = h('div', { 'aria-live': 'polite' });
  const versionSelect = (id: string, selected: number) =>
    h(
      'select',
      { id, name: id },
      versions.map((version) =>
        h(
          'option',
          { value: String(version.version), selected: version.version === selected },
          `v${version.version} · ${version.origin}`,
        ),
      ),
    );
  const fromSelect = versionSelect('diff-from', defaultFrom);
  const toSelect = versionSelect('diff-to', defaultTo);
  const diffBox = h('div', { id: 'diff-output' });
  const showDiff = async (from: number, to: number) => {
    fromSelect.value = String(from);
    toSelect.value = String(to);
    if (from === to) {
      mount(diffBox, h('p', { class: 'empty' }, 'Pick two different versions to compare.'));
      return;
    }
    mount(diffBox, h('p', { class: 'muted' }, 'Loading diff…'));
    const { diff } = await api<{ diff: string }>(session, 'GET', `${base}/diff?from=${from}&to=${to}`, {
      signal,
    });
    mount(diffBox, h('p', { class: 'muted' }, `Changes from v${from} to v${to}`), diffView(diff));
    history.replaceState(null, '', `#/bundles/${encodeURIComponent(reuseKey)}?from=${from}&to=${to}`);
  };
  const confirmBox = h('div', {
    class: 'confirm',
    role: 'group',
    'aria-label': 'Confirm rollback',
    hidden: true,
  });
  const askRollback = (version: number) => {
    confirmBox.hidden = false;
    mount(
      confirmBox,
      h(
        'p',
        null,
        `Roll back “${reuseKey}” to v${version}? This saves v${newest + 1} with the code of v${version}; later runs use it. History is kept.`,
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'button danger',
            onclick: async (event: Event) => {
              (event.currentTarget as HTMLButtonElement).disabled = true;
              try {
                const saved = await api<BundleWire>(session, 'POST', `${base}/rollback`, {
                  body: { version },
                  signal,
                });
                await reopen(
                  `Rolled back: v${saved.version} now runs the code of v${version}.`,
                  newest,
                  saved.version,
                );
              } catch (error) {
                context.fail(error);
              }
            },
          },
          `Roll back to v${version}`,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button ghost',
            onclick: () => {
              confirmBox.hidden = true;
            },
          },
          `Keep v${live ?? newest}`,
        ),
      ),
    );
    confirmBox.querySelector<HTMLButtonElement>('.danger')?.focus();
  };
  const flash = sessionStorage.getItem('webtasks.dashboard.flash');
  if (flash) {
    sessionStorage.removeItem('webtasks.dashboard.flash');
    messages.append(notice('success', flash));
  }

  mount(
    root,
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/bundles' }, 'Bundles'),
      ' / ',
      h('span', null, reuseKey),
    ),
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, h('code', null, reuseKey)),
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button', href: `#/runs?reuseKey=${encodeURIComponent(reuseKey)}` }, 'Runs'),
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            onclick: () => download(session, `${base}/export`, `${reuseKey}.mjs`).catch(context.fail),
          },
          'Export script',
        ),
      ),
    ),
    messages,
    h('p', { class: 'muted' }, latest.task),
    ...reviewSummary(versions, settings),
    confirmBox,
    card(
      'Version history',
      'history',
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'table compact', 'aria-label': 'Versions' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Version', 'Origin', 'Saved', 'From run', 'Actions'].map((name) =>
                h('th', { scope: 'col' }, name),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            versions.map((version) => {
              const previous = previousOf(version.version);
              return h(
                'tr',
                { 'data-version': String(version.version) },
                h(
                  'td',
                  null,
                  h('strong', null, `v${version.version}`),
                  version.version === live ? h('span', { class: 'tag tag-current' }, 'live') : null,
                  statusTag(version),
                ),
                h(
                  'td',
                  null,
                  h('span', { class: `tag tag-${version.origin}` }, version.origin),
                  version.parentVersion
                    ? h('span', { class: 'muted' }, ` of v${version.parentVersion}`)
                    : null,
                ),
                h('td', null, formatTime(version.createdAt)),
                h(
                  'td',
                  null,
                  version.webTaskId
                    ? h(
                        'a',
                        { href: `#/runs/${encodeURIComponent(version.webTaskId)}` },
                        h('code', null, version.webTaskId),
                      )
                    : '—',
                ),
                h(
                  'td',
                  { class: 'row-actions' },
                  ...reviewButtons(version, review(version.version)),
                  previous !== undefined
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'button small',
                          'aria-label': `Diff v${previous} to v${version.version}`,
                          onclick: () => showDiff(previous, version.version).catch(context.fail),
                        },
                        'Diff with previous',
                      )
                    : null,
                  version.version === live || version.status === 'proposed'
                    ? null
                    : h(
                        'button',
                        {
                          type: 'button',
                          class: 'button small danger-outline',
                          onclick: () => askRollback(version.version),
                        },
                        `Roll back to v${version.version}`,
                      ),
                ),
              );
            }),
          ),
        ),
      ),
    ),
    card(
      'Compare versions',
      'compare',
      h(
        'form',
        {
          class: 'filters inline',
          onsubmit: (event: Event) => {
            event.preventDefault();
            showDiff(Number(fromSelect.value), Number(toSelect.value)).catch(context.fail);
          },
        },
        h('div', { class: 'field' }, h('label', { for: 'diff-from' }, 'From'), fromSelect),
        h('div', { class: 'field' }, h('label', { for: 'diff-to' }, 'To'), toSelect),
        h('button', { type: 'submit', class: 'button primary' }, 'Show diff'),
      ),
      diffBox,
    ),
    card(
      `Source of v${newest}`,
      'source',
      h('pre', { class: 'code', tabindex: '0', 'aria-label': `Source of v${newest}` }, latest.source),
      h(
        'details',
        null,
        h('summary', null, 'Output schema'),
        h('pre', { class: 'code' }, JSON.stringify(latest.outputSchema, null, 2)),
      ),
    ),
  );
  if (defaultFrom !== defaultTo) await showDiff(defaultFrom, defaultTo);
}
