import './styles.css';
import { ApiError, api, clearSession, loadSession, type Session, saveSession } from './api.js';
import { renderBundlePage } from './bundle-page.js';
import { renderBundlesPage } from './bundles-page.js';
import { h, mount, notice } from './dom.js';
import { renderRunPage } from './run-page.js';
import { renderRunsPage } from './runs-page.js';

/** What a page gets: where to draw, the session, the route's parameters, and when to stop. */
export interface PageContext {
  root: HTMLElement;
  session: Session;
  params: URLSearchParams;
  signal: AbortSignal;
  /** Report an API error: a refused key signs out with the reason. */
  fail(error: unknown): void;
}

/** `WORKSPACE_ID_PATTERN` of the server (api-keys.ts). */
const WORKSPACE_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
let current: AbortController | undefined;

function signOut(reason?: string): void {
  clearSession();
  current?.abort();
  if (location.hash !== '' && location.hash !== '#/') history.replaceState(null, '', '#/');
  renderSignIn(reason);
}

function failWith(root: HTMLElement, error: unknown): void {
  if ((error as Error)?.name === 'AbortError') return;
  if (error instanceof ApiError && error.status === 401) {
    signOut(`Signed out: ${error.message}`);
    return;
  }
  root.prepend(notice('error', error instanceof Error ? error.message : String(error)));
}

function shell(session: Session, active: 'runs' | 'bundles'): HTMLElement {
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const link = (href: string, label: string, name: typeof active) =>
    h('a', { href, class: 'nav-link', 'aria-current': name === active ? 'page' : undefined }, label);
  document.body.replaceChildren(
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h(
      'header',
      { class: 'topbar' },
      h(
        'a',
        { href: '#/runs', class: 'brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }),
        'webtasks',
      ),
      h(
        'nav',
        { 'aria-label': 'Sections' },
        link('#/runs', 'Runs', 'runs'),
        link('#/bundles', 'Bundles', 'bundles'),
      ),
      h(
        'div',
        { class: 'who' },
        h('span', { class: 'workspace', title: 'Workspace' }, session.workspaceId),
        h('button', { type: 'button', class: 'button ghost', onclick: () => signOut() }, 'Sign out'),
      ),
    ),
    main,
  );
  return main;
}

function route(): void {
  current?.abort();
  const session = loadSession();
  if (!session) {
    renderSignIn();
    return;
  }
  current = new AbortController();
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const section = parts[0] === 'bundles' ? 'bundles' : 'runs';
  const root = shell(session, section);
  const context: PageContext = {
    root,
    session,
    params: new URLSearchParams(query),
    signal: current.signal,
    fail: (error) => failWith(root, error),
  };
  const titled = (title: string) => {
    document.title = `${title} · webtasks`;
  };
  if (parts[0] === 'runs' && parts[1]) {
    titled(`Run ${parts[1]}`);
    void renderRunPage(context, parts[1]).catch(context.fail);
  } else if (parts[0] === 'bundles' && parts[1]) {
    titled(`Bundle ${parts[1]}`);
    void renderBundlePage(context, parts[1]).catch(context.fail);
  } else if (parts[0] === 'bundles') {
    titled('Bundles');
    void renderBundlesPage(context).catch(context.fail);
  } else {
    titled('Runs');
    void renderRunsPage(context).catch(context.fail);
  }
}

function renderSignIn(reason?: string): void {
  document.title = 'Sign in · webtasks';
  const message = h(
    'div',
    { class: 'sign-in-message', 'aria-live': 'polite' },
    reason ? notice('error', reason) : null,
  );
  const workspace = h('input', {
    id: 'workspace-id',
    name: 'workspaceId',
    required: true,
    autocomplete: 'username',
    spellcheck: 'false',
    placeholder: 'acme',
    value: loadSession()?.workspaceId ?? '',
  });
  const key = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    required: true,
    autocomplete: 'current-password',
  });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'sign-in card',
      'aria-labelledby': 'sign-in-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const session = { workspaceId: workspace.value.trim(), apiKey: key.value.trim() };
        if (!WORKSPACE_ID.test(session.workspaceId)) {
          mount(
            message,
            notice(
              'error',
              'A workspace id is 1–128 letters, digits, ".", "_" or "-" (not starting with "." or "-").',
            ),
          );
          return;
        }
        submit.disabled = true;
        submit.textContent = 'Checking…';
        try {
          await api(session, 'GET', '/web-tasks?limit=1');
          saveSession(session);
          if (!location.hash.startsWith('#/runs') && !location.hash.startsWith('#/bundles')) {
            history.replaceState(null, '', '#/runs');
          }
          route();
        } catch (error) {
          const text =
            error instanceof ApiError && error.status === 401
              ? `Wrong API key for workspace “${session.workspaceId}”: the server refused it. Check the key and the workspace id. (${error.message})`
              : error instanceof Error
                ? error.message
                : String(error);
          mount(message, notice('error', text));
          submit.disabled = false;
          submit.textContent = 'Sign in';
          key.focus();
        }
      },
    },
    h('div', { class: 'brand big' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'webtasks'),
    h('h1', { id: 'sign-in-title' }, 'Sign in to the dashboard'),
    h(
      'p',
      { class: 'muted' },
      'Use the workspace id and one of its API keys. The key stays in this browser tab only.',
    ),
    message,
    h('label', { for: 'workspace-id' }, 'Workspace id'),
    workspace,
    h('label', { for: 'api-key' }, 'API key'),
    key,
    submit,
  );
  document.body.replaceChildren(h('main', { class: 'center' }, form));
  (workspace.value ? key : workspace).focus();
}

window.addEventListener('hashchange', route);
route();
