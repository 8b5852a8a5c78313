import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccountSiteState, accountHandler, type FixtureAccount } from './account.js';
import { directoryHandler } from './directory.js';
import { filesHandler } from './files.js';
import { formHandler } from './form.js';
import { hostileHandler } from './hostile.js';
import { escapeHtml, htmlPage } from './html.js';
import { infiniteHandler } from './infinite.js';
import type {
  FixtureRequest,
  FixtureVariant,
  FormSubmission,
  SiteHandler,
  SiteRequest,
  SiteResponse,
  SiteState,
} from './site-types.js';
import { tablesHandler } from './tables.js';
import { testingHandler } from './testing.js';

/** Options of `startFixtureSites`. */
export interface FixtureSitesOptions {
  /** Port on 127.0.0.1. Default 0 (a free port). */
  port?: number;
  /** Markup variant to start with. Default `default`. */
  variant?: FixtureVariant;
  /** How long a `/account` session lasts. Default 10 minutes. */
  sessionTtlMs?: number;
}

/** A running fixture server. */
export interface FixtureSites {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly baseUrl: string;
  readonly port: number;
  /** The active markup variant. */
  readonly variant: FixtureVariant;
  /** Switch the markup served at the same URLs (e.g. `directory-v2`), effective for the next request. */
  setVariant(variant: FixtureVariant): void;
  /** Every request received, in order (method, path with query, Host header). */
  readonly requests: readonly FixtureRequest[];
  /** Applications completed through `/form`, in order. */
  readonly submissions: readonly FormSubmission[];
  /** Forget the recorded requests. */
  clearRequests(): void;
  /** Add (or replace) an account of the `/account` site. */
  addAccount(account: FixtureAccount): void;
  /** End every `/account` session now (as if they had expired). */
  expireSessions(): void;
  /** The `/account` site's state: sessions and successful logins. */
  readonly account: Readonly<AccountSiteState>;
  /** Stop the server and drop open connections. */
  close(): Promise<void>;
}

const HANDLERS: SiteHandler[] = [
  testingHandler,
  accountHandler,
  hostileHandler,
  directoryHandler,
  formHandler,
  filesHandler,
  tablesHandler,
  infiniteHandler,
];
const VARIANTS: readonly FixtureVariant[] = ['default', 'directory-v2'];

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function respond(request: SiteRequest, state: SiteState): Promise<SiteResponse> {
  for (const handler of HANDLERS) {
    const response = await handler(request, state);
    if (response) return response;
  }
  return {
    status: 404,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: htmlPage({
      title: 'Not found',
      body: `<h1>Not found</h1><p>${escapeHtml(request.url.pathname)}</p><a href="/">Home</a>`,
    }),
  };
}

/**
 * Start the project's deterministic fixture sites on 127.0.0.1: a company directory with
 * pagination, filters and detail pages (plus a changed-markup variant), a three-step form,
 * a batch of files, tables and a JS-rendered list. Nothing external is loaded.
 */
export async function startFixtureSites(options: FixtureSitesOptions = {}): Promise<FixtureSites> {
  const state: SiteState = {
    variant: options.variant ?? 'default',
    submissions: [],
    formDrafts: new Map(),
    nextDraftId: 1,
    account: {
      accounts: new Map(),
      sessions: new Map(),
      pendingTotp: new Map(),
      sessionTtlMs: options.sessionTtlMs ?? 10 * 60 * 1000,
      logins: [],
    },
  };
  const requests: FixtureRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const host = req.headers.host ?? '127.0.0.1';
      const url = new URL(req.url ?? '/', `http://${host}`);
      requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, host });
      const contentType = String(req.headers['content-type'] ?? '');
      const body = req.method === 'POST' ? await readBody(req) : '';
      const form = contentType.startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(body)
        : new URLSearchParams();
      const siteRequest: SiteRequest = {
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        form,
        cookies: parseCookies(req.headers.cookie),
      };
      const response = await respond(siteRequest, state);
      res.writeHead(response.status, { 'cache-control': 'no-store', ...response.headers });
      res.end(response.body === undefined ? undefined : Buffer.from(response.body));
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fixture error: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    get variant() {
      return state.variant;
    },
    setVariant(variant) {
      if (!VARIANTS.includes(variant)) {
        throw new Error(
          `[webtasks:fixture-sites] unknown variant "${variant}": use one of ${VARIANTS.join(', ')}`,
        );
      }
      state.variant = variant;
    },
    requests,
    submissions: state.submissions,
    clearRequests() {
      requests.length = 0;
    },
    addAccount(account) {
      state.account.accounts.set(account.username, { ...account });
    },
    expireSessions() {
      state.account.sessions.clear();
    },
    account: state.account,
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
