import type { TaskList, TaskSummary } from '@webtasks/protocol';
import { ApiError, api } from './api.js';
import type { PageContext } from './app.js';
import { between, formatDuration, formatTime, formatUsd, h, mount, statusBadge } from './dom.js';

const POLL_MS = 3000;
const STATUSES = ['pending', 'started', 'completed'] as const;

function runRow(task: TaskSummary): HTMLTableRowElement {
  const href = `#/runs/${encodeURIComponent(task.webTaskId)}`;
  const ended = task.completedAt ?? (task.status === 'started' ? new Date().toISOString() : undefined);
  return h(
    'tr',
    { 'data-run': task.webTaskId },
    h('td', { 'data-label': 'Status' }, statusBadge(task.status, task.outcome)),
    h(
      'td',
      { 'data-label': 'Task', class: 'task-cell' },
      h('a', { href, class: 'row-link' }, task.task || task.webTaskId),
      task.error
        ? h('div', { class: 'row-error' }, `${task.error.code}: ${task.error.message.split('\n')[0]}`)
        : null,
    ),
    h('td', { 'data-label': 'Reuse key' }, h('code', null, task.reuseKey)),
    h('td', { 'data-label': 'Version' }, task.bundleVersion === undefined ? '—' : `v${task.bundleVersion}`),
    h('td', { 'data-label': 'Created' }, formatTime(task.createdAt)),
    h('td', { 'data-label': 'Duration' }, formatDuration(between(task.startedAt, ended))),
    h('td', { 'data-label': 'AI cost', class: 'num' }, formatUsd(task.cost?.aiUsd)),
  );
}

/** The workspace's runs, newest first, with filters in the URL and a live-updating first page. */
export async function renderRunsPage(context: PageContext): Promise<void> {
  const { root, session, params, signal } = context;
  const status = params.get('status') ?? '';
  const reuseKey = params.get('reuseKey') ?? '';
  const statusSelect = h(
    'select',
    { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((value) => h('option', { value, selected: value === status }, value)),
  );
  const keyInput = h('input', {
    id: 'filter-reuse-key',
    name: 'reuseKey',
    value: reuseKey,
    placeholder: 'e.g. hn-top-stories',
    spellcheck: 'false',
  });
  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter runs',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        if (statusSelect.value) next.set('status', statusSelect.value);
        if (keyInput.value.trim()) next.set('reuseKey', keyInput.value.trim());
        const query = next.toString();
        location.hash = `#/runs${query ? `?${query}` : ''}`;
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), statusSelect),
    h('div', { class: 'field grow' }, h('label', { for: 'filter-reuse-key' }, 'Reuse key'), keyInput),
    h('button', { type: 'submit', class: 'button primary' }, 'Apply filters'),
    status || reuseKey ? h('a', { href: '#/runs', class: 'button ghost' }, 'Clear') : null,
  );
  const live = h('span', { class: 'live', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const body = h('tbody', { id: 'runs-body' });
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Load more');
  const empty = h(
    'p',
    { class: 'empty', hidden: true },
    status || reuseKey
      ? 'No run matches these filters.'
      : 'No runs yet: start one with the API, the SDK or the CLI.',
  );
  const table = h(
    'table',
    { class: 'table responsive', 'aria-label': 'Runs' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Status', 'Task', 'Reuse key', 'Version', 'Created', 'Duration', 'AI cost'].map((name) =>
          h('th', { scope: 'col', class: name === 'AI cost' ? 'num' : undefined }, name),
        ),
      ),
    ),
    body,
  );
  mount(
    root,
    h('div', { class: 'page-head' }, h('h1', null, 'Runs'), live),
    filters,
    h('div', { class: 'card flush' }, table, empty),
    h('div', { class: 'pager' }, more),
  );

  const query = (cursor?: string, limit = 20) => {
    const search = new URLSearchParams({ limit: String(limit) });
    if (status) search.set('status', status);
    if (reuseKey) search.set('reuseKey', reuseKey);
    if (cursor) search.set('cursor', cursor);
    return `/web-tasks?${search}`;
  };
  let shown = 0;
  let cursor: string | undefined;
  const draw = (page: TaskList, append: boolean) => {
    if (!append) body.replaceChildren();
    for (const task of page.tasks) body.append(runRow(task));
    shown = body.children.length;
    cursor = page.nextCursor;
    more.hidden = cursor === undefined;
    empty.hidden = shown > 0;
    table.hidden = shown === 0;
  };
  const refresh = async () => {
    // Re-read as many rows as are shown, so statuses and new runs appear in place.
    const page = await api<TaskList>(session, 'GET', query(undefined, Math.min(Math.max(shown, 20), 100)), {
      signal,
    });
    draw(page, false);
    live.textContent = `Live · updated ${new Date().toLocaleTimeString()}`;
    live.classList.add('on');
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      draw(await api<TaskList>(session, 'GET', query(cursor), { signal }), true);
    } catch (error) {
      context.fail(error);
    } finally {
      more.disabled = false;
    }
  });
  await refresh();
  const timer = setInterval(() => {
    if (document.visibilityState !== 'visible') return;
    refresh().catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) context.fail(error);
      else if (!signal.aborted) {
        live.classList.remove('on');
        live.textContent = `Updates paused: ${(error as Error).message}`;
      }
    });
  }, POLL_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}
