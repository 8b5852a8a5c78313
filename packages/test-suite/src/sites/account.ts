import { randomBytes } from 'node:crypto';
import { totpCode } from '@webtasks/core';
import { escapeHtml, htmlPage } from './html.js';
import { html, redirect, type SiteHandler, type SiteRequest, type SiteState } from './site-types.js';

/** An account of the `/account` site. */
export interface FixtureAccount {
  username: string;
  password: string;
  /** A base32 TOTP seed: login then asks for a two-factor code. */
  totpSeed?: string;
}

/** What the `/account` site keeps (part of `SiteState`). */
export interface AccountSiteState {
  accounts: Map<string, FixtureAccount>;
  /** Session id → who and until when (ms since epoch). */
  sessions: Map<string, { username: string; expiresAt: number }>;
  /** Logins waiting for their two-factor code: id → username. */
  pendingTotp: Map<string, string>;
  sessionTtlMs: number;
  /** Successful logins, by username, in order. */
  logins: string[];
}

/** The orders an account's page lists (the data tasks extract). */
export function fixtureOrders(username: string): Array<{ id: string; total: number }> {
  return [1, 2, 3].map((n) => ({ id: `${username.toUpperCase()}-${1000 + n}`, total: n * 12.5 }));
}

const SESSION = 'wt_session';
const CSRF = 'wt_csrf';
const PENDING = 'wt_pending';
const token = () => randomBytes(12).toString('hex');

function loginPage(csrf: string, error?: string, username = ''): string {
  return htmlPage({
    title: 'Sign in',
    body: `<main><h1>Sign in</h1>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/account/login">
<input type="hidden" name="csrf" value="${csrf}">
<label for="username">Username</label> <input id="username" name="username" value="${escapeHtml(username)}" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form></main>`,
  });
}

function totpPage(error?: string): string {
  return htmlPage({
    title: 'Two-factor code',
    body: `<main><h1>Enter your two-factor code</h1>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/account/otp">
<label for="code">Code from your authenticator app</label> <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code">
<button type="submit">Verify</button>
</form></main>`,
  });
}

function ordersPage(username: string): string {
  const rows = fixtureOrders(username)
    .map(
      (o) => `<tr><td class="order-id">${o.id}</td><td class="order-total">${o.total.toFixed(2)}</td></tr>`,
    )
    .join('');
  return htmlPage({
    title: 'Your orders',
    body: `<main><h1>Welcome, ${escapeHtml(username)}</h1>
<table id="orders"><thead><tr><th>Order</th><th>Total</th></tr></thead><tbody>${rows}</tbody></table>
<form method="post" action="/account/logout"><button type="submit">Sign out</button></form></main>`,
  });
}

function sessionCookie(id: string, ttlMs: number): string {
  return `${SESSION}=${id}; Path=/account; HttpOnly; SameSite=Lax; Max-Age=${Math.ceil(ttlMs / 1000)}`;
}

function startSession(state: AccountSiteState, username: string): string {
  const id = token();
  state.sessions.set(id, { username, expiresAt: Date.now() + state.sessionTtlMs });
  state.logins.push(username);
  return id;
}

function totpMatches(seed: string, code: string): boolean {
  const now = Date.now();
  return [-30_000, 0, 30_000].some(
    (skew) => totpCode({ name: 'fixture', seed, timestampMs: now + skew }) === code,
  );
}

/**
 * `/account`: a login form with a CSRF token (cookie + hidden field), an optional two-factor
 * step (TOTP), and an orders page behind a session cookie that expires on the server and is
 * replaced on every visit (so a stale copy of the cookie no longer works).
 */
export const accountHandler: SiteHandler = (request: SiteRequest, siteState: SiteState) => {
  const path = request.url.pathname;
  if (path !== '/account' && !path.startsWith('/account/')) return undefined;
  const state = siteState.account;
  if (path === '/account/login' && request.method === 'GET') {
    const csrf = token();
    return html(loginPage(csrf), 200, { 'set-cookie': `${CSRF}=${csrf}; Path=/account; SameSite=Lax` });
  }
  if (path === '/account/login' && request.method === 'POST') {
    const csrf = request.form.get('csrf') ?? '';
    const username = request.form.get('username') ?? '';
    const fresh = token();
    const again = (error: string, status: number) =>
      html(loginPage(fresh, error, username), status, {
        'set-cookie': `${CSRF}=${fresh}; Path=/account; SameSite=Lax`,
      });
    if (!csrf || csrf !== request.cookies[CSRF]) return again('Your form expired: sign in again.', 403);
    const account = state.accounts.get(username);
    if (!account || account.password !== (request.form.get('password') ?? ''))
      return again('Wrong username or password.', 401);
    if (account.totpSeed) {
      const pending = token();
      state.pendingTotp.set(pending, username);
      return redirect('/account/otp', 303, {
        'set-cookie': `${PENDING}=${pending}; Path=/account; HttpOnly`,
      });
    }
    return redirect('/account', 303, {
      'set-cookie': sessionCookie(startSession(state, username), state.sessionTtlMs),
    });
  }
  if (path === '/account/otp') {
    const username = state.pendingTotp.get(request.cookies[PENDING] ?? '');
    if (!username) return redirect('/account/login');
    if (request.method === 'GET') return html(totpPage());
    const seed = state.accounts.get(username)?.totpSeed ?? '';
    if (!totpMatches(seed, (request.form.get('code') ?? '').trim()))
      return html(totpPage('That code is not valid.'), 401);
    state.pendingTotp.delete(request.cookies[PENDING] ?? '');
    return redirect('/account', 303, {
      'set-cookie': sessionCookie(startSession(state, username), state.sessionTtlMs),
    });
  }
  if (path === '/account/logout') {
    state.sessions.delete(request.cookies[SESSION] ?? '');
    return redirect('/account/login', 303, { 'set-cookie': `${SESSION}=; Path=/account; Max-Age=0` });
  }
  if (path === '/account') {
    const current = request.cookies[SESSION] ?? '';
    const session = state.sessions.get(current);
    if (!session || session.expiresAt <= Date.now()) return redirect('/account/login');
    // A rolling session: every visit swaps the id for a fresh one (the old one stops working).
    state.sessions.delete(current);
    const next = token();
    state.sessions.set(next, { username: session.username, expiresAt: Date.now() + state.sessionTtlMs });
    return html(ordersPage(session.username), 200, { 'set-cookie': sessionCookie(next, state.sessionTtlMs) });
  }
  return undefined;
};
