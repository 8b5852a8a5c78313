import type { CallOptions, JsonValue } from './common.js';

/** Text to match: a string, or a regular expression in serialisable form. */
export type TextMatch = string | { regex: string; flags: string };

/**
 * One step of a locator chain, mirroring Playwright's own locator methods. A chain is
 * resolved from the page left to right: `page.getByRole('list').locator('li').nth(2)` is
 * `[{kind:'getByRole',role:'list'},{kind:'locator',selector:'li'},{kind:'nth',index:2}]`.
 */
export type LocatorStep =
  | { kind: 'locator'; selector: string; hasText?: TextMatch; hasNotText?: TextMatch }
  | {
      kind: 'getByRole';
      role: string;
      name?: TextMatch;
      exact?: boolean;
      checked?: boolean;
      disabled?: boolean;
      expanded?: boolean;
      includeHidden?: boolean;
      level?: number;
      pressed?: boolean;
      selected?: boolean;
    }
  | {
      kind: 'getByText' | 'getByLabel' | 'getByPlaceholder' | 'getByAltText' | 'getByTitle';
      text: TextMatch;
      exact?: boolean;
    }
  | { kind: 'getByTestId'; testId: TextMatch }
  | { kind: 'nth'; index: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | {
      kind: 'filter';
      hasText?: TextMatch;
      hasNotText?: TextMatch;
      has?: LocatorStep[];
      hasNot?: LocatorStep[];
      visible?: boolean;
    }
  /** An element reference from the latest `observe()` snapshot (agent tools only). */
  | { kind: 'ref'; ref: string };

/** Page-level operations (no locator). */
export const PAGE_OPS = [
  'goto',
  'url',
  'title',
  'content',
  'reload',
  'goBack',
  'goForward',
  'waitForURL',
  'waitForLoadState',
  'waitForSelector',
  'waitForTimeout',
  'evaluate',
  '$$eval',
  '$eval',
  'keyboard.press',
  'keyboard.type',
  'mouse.wheel',
] as const;

/** Operations on the element(s) a locator chain resolves to. */
export const LOCATOR_OPS = [
  'click',
  'dblclick',
  'fill',
  'clear',
  'type',
  'pressSequentially',
  'press',
  'check',
  'uncheck',
  'setChecked',
  'selectOption',
  'hover',
  'focus',
  'scrollIntoViewIfNeeded',
  'waitFor',
  'textContent',
  'innerText',
  'innerHTML',
  'getAttribute',
  'inputValue',
  'isVisible',
  'isHidden',
  'isChecked',
  'isEnabled',
  'isDisabled',
  'count',
  'allTextContents',
  'allInnerTexts',
  'evaluate',
  'evaluateAll',
] as const;

/** Steps generated code may chain into a locator (`ref` is the agent tools' own, not listed). */
export const LOCATOR_STEP_KINDS = [
  'locator',
  'getByRole',
  'getByText',
  'getByLabel',
  'getByPlaceholder',
  'getByAltText',
  'getByTitle',
  'getByTestId',
  'nth',
  'first',
  'last',
  'filter',
] as const satisfies readonly Exclude<LocatorStep['kind'], 'ref'>[];

export type PageOp = (typeof PAGE_OPS)[number];
export type LocatorOp = (typeof LOCATOR_OPS)[number];

/**
 * One command bridged from generated code (or an agent tool) to the browser. Arguments are
 * the Playwright method's arguments, JSON-encoded; functions passed to `evaluate`,
 * `evaluateAll`, `$eval` and `$$eval` travel as their source text in `{ fn: string }`,
 * regular expressions (`waitForURL`, text options) as `{ regex, flags }`.
 */
export type PageCommand =
  | { target: 'page'; op: PageOp; args: JsonValue[] }
  | { target: 'locator'; op: LocatorOp; locator: LocatorStep[]; args: JsonValue[] };

/**
 * Which URLs the browser may reach. Applied to navigations, subresources, redirects and
 * downloads. Requests that are not allowed are aborted at once (never left to time out).
 */
export interface EgressPolicy {
  /**
   * Block private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), loopback (127/8, ::1),
   * link-local (169.254/16, fe80::/10), unspecified, documentation, reserved and multicast
   * addresses (every IANA special-purpose block) and the host's own interface addresses.
   * Default true.
   */
  blockPrivateNetworks?: boolean;
  /**
   * Hosts (`example.test`, `127.0.0.1:4010`, `*.example.test`) allowed even when private. An
   * IP entry also allows names that resolve to that address.
   */
  allowHosts?: string[];
  /** Hosts always denied. */
  denyHosts?: string[];
  /** Allow `file:` URLs. Default false; there is no good reason to turn it on. */
  allowFileUrls?: boolean;
}

/** A compact view of the current page for the model. */
export interface PageSnapshot {
  url: string;
  title: string;
  /**
   * Indented outline of the page: roles, accessible names, element refs (`[ref=e12]`),
   * link targets, form state; long runs of similar items are collapsed.
   */
  text: string;
  /** Bytes of `text`. */
  sizeBytes: number;
  /** Bytes of the page's raw HTML at the time of the snapshot, for comparison. */
  rawHtmlBytes: number;
}

/** A file the browser downloaded. */
export interface DownloadedFile {
  /** The file name the site suggested. */
  suggestedName: string;
  contentType: string;
  /** The URL the file came from. */
  url: string;
  body: Uint8Array;
}

/**
 * A file fetched by URL whose body is still streaming. Read `body` to the end or stop early
 * (`break`, a thrown error): either frees the connection.
 */
export interface DownloadStream {
  /** The file name the site suggested (`Content-Disposition`, else the URL's last segment). */
  suggestedName: string;
  contentType: string;
  /** The URL the file came from (after redirects). */
  url: string;
  /** `Content-Length`, when the site sent one. */
  sizeBytes?: number;
  /**
   * The body in chunks. It ends with a `WebTasksError` when the file passes `maxBytes`, when
   * no byte arrives for the adapter's idle timeout, or when the connection is cut.
   */
  body: AsyncIterable<Uint8Array>;
}

/** What starts a download. */
export type DownloadTrigger = { kind: 'click'; locator: LocatorStep[] } | { kind: 'url'; url: string };

/**
 * An upstream proxy the session's browser traffic goes through. The egress policy still
 * applies to each final destination (and to the proxy's own address).
 */
/** A browser storage state, in the shape Playwright reads and writes (`context.storageState()`). */
export interface StorageState {
  cookies: Array<{
    name: string;
    value: string;
    domain: string;
    path: string;
    /** Unix time in seconds; -1 for a session cookie. */
    expires: number;
    httpOnly: boolean;
    secure: boolean;
    sameSite: 'Strict' | 'Lax' | 'None';
  }>;
  origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>;
}

export interface ProxySettings {
  /** `http://host:port`, `https://host:port` or `socks5://host:port` (no credentials in the URL). */
  server: string;
  username?: string;
  /** Never logged, recorded or shown in errors. */
  password?: string;
}

/** Options of `BrowserProvider.openSession`. */
export interface OpenSessionOptions extends CallOptions {
  /** Where the session may go. Defaults to the provider's policy. */
  egress?: EgressPolicy;
  /** Send the session's traffic (downloads included) through this upstream proxy. Defaults to the provider's. */
  proxy?: ProxySettings;
  /** Record a Playwright trace, returned by `close()`. */
  trace?: boolean;
  /** Start the context with these cookies and localStorage (an auth session). Needs `capabilities.storageState`. */
  storageState?: StorageState;
  /** Default timeout of each command in milliseconds (Playwright's action timeout). */
  commandTimeoutMs?: number;
}

/**
 * An isolated browser session: a fresh context with its own cookies and storage, and one
 * page. Errors are WebTasksErrors: `policy-denied` for a URL the egress policy refuses,
 * `browser-crashed` when the browser died, `page-error` for a failed page command (the
 * message is the browser's, e.g. a locator timeout).
 */
export interface BrowserSession {
  /** Unique id, for logs. */
  readonly id: string;
  /** Run one page or locator command and return its JSON result. */
  execute(options: { command: PageCommand } & CallOptions): Promise<JsonValue>;
  /** A compact snapshot of the page for the model. */
  observe(options?: { maxItemsPerList?: number } & CallOptions): Promise<PageSnapshot>;
  /** A PNG screenshot of the viewport (or the full page). */
  screenshot(options?: { fullPage?: boolean } & CallOptions): Promise<Uint8Array>;
  /** Start a download and wait for its bytes. */
  download(options: { trigger: DownloadTrigger; timeoutMs?: number } & CallOptions): Promise<DownloadedFile>;
  /** The context's cookies and localStorage now (providers with `capabilities.storageState`). */
  storageState?(options?: CallOptions): Promise<StorageState>;
  /**
   * Fetch `url` (absolute, or relative to the page) without a browser download: with the
   * session's cookies and user agent, through its egress policy, answering once the headers
   * arrived; the body streams. Adapters bound how many run at once. Optional: the engine
   * falls back to `download({ trigger: { kind: 'url', url } })`.
   */
  fetchFile?(
    options: { url: string; timeoutMs?: number; maxBytes?: number } & CallOptions,
  ): Promise<DownloadStream>;
  /** Close the context. Returns the trace (a Playwright trace zip) when one was recorded. */
  close(options?: CallOptions): Promise<{ trace?: Uint8Array }>;
}

/** What a browser provider supports. */
export interface BrowserCapabilities {
  /** Sessions start from and report a storage state (auth sessions). */
  storageState?: boolean;
  traces: boolean;
  downloads: boolean;
  screenshots: boolean;
}

/** Opens isolated browser sessions; owns the browser processes. */
export interface BrowserProvider {
  readonly specificationVersion: 'v1';
  readonly capabilities: BrowserCapabilities;
  /** Open a fresh, isolated session. */
  openSession(options?: OpenSessionOptions): Promise<BrowserSession>;
  /** Close every session and the browser. Idempotent: a second call resolves without doing anything. */
  close(options?: CallOptions): Promise<void>;
}
