import type {
  BrowserProvider,
  BrowserSession,
  JsonValue,
  LocatorStep,
  OpenSessionOptions,
  TextMatch,
} from '@webtasks/core';
import type { FixtureSites } from '../../sites/index.js';

/** What each browser contract test gets. */
export interface BrowserContractContext {
  provider: BrowserProvider;
  sites: FixtureSites;
  /** Open a session allowed to reach the fixture host (closed after the test). */
  open(options?: OpenSessionOptions): Promise<Driver>;
  /** Open a session with the provider's default egress policy (no allow-list). */
  openDefault(options?: OpenSessionOptions): Promise<Driver>;
}

/** A session plus shorthands for commands. */
export interface Driver {
  session: BrowserSession;
  /** Navigate to a fixture path (or an absolute URL). */
  goto(pathOrUrl: string): Promise<void>;
  page(op: string, ...args: JsonValue[]): Promise<JsonValue>;
  loc(locator: LocatorStep[], op: string, ...args: JsonValue[]): Promise<JsonValue>;
}

/** One contract test's body. */
export type BrowserContractBody = (context: BrowserContractContext) => Promise<void>;

/** Registers one contract test; `needs` names the capability it needs. */
export type BrowserTestRegistrar = (
  title: string,
  body: BrowserContractBody,
  options?: { timeoutMs?: number; needs?: 'downloads' | 'screenshots' | 'traces' },
) => void;

/** `{ fn }` of a function written in the test (runs in the page, not here). */
export function fn(source: (...args: any[]) => unknown): { fn: string } {
  return { fn: String(source) };
}

/** A `{ regex, flags }` text match. */
export function regex(pattern: RegExp): { regex: string; flags: string } {
  return { regex: pattern.source, flags: pattern.flags };
}

/** Locator step shorthands. */
export const step = {
  css: (selector: string, options: { hasText?: TextMatch; hasNotText?: TextMatch } = {}): LocatorStep => ({
    kind: 'locator',
    selector,
    ...options,
  }),
  role: (
    role: string,
    options: Omit<Extract<LocatorStep, { kind: 'getByRole' }>, 'kind' | 'role'> = {},
  ): LocatorStep => ({
    kind: 'getByRole',
    role,
    ...options,
  }),
  text: (
    kind: 'getByText' | 'getByLabel' | 'getByPlaceholder' | 'getByAltText' | 'getByTitle',
    text: TextMatch,
    exact?: boolean,
  ): LocatorStep => ({ kind, text, ...(exact === undefined ? {} : { exact }) }),
  testId: (testId: TextMatch): LocatorStep => ({ kind: 'getByTestId', testId }),
  nth: (index: number): LocatorStep => ({ kind: 'nth', index }),
  first: (): LocatorStep => ({ kind: 'first' }),
  last: (): LocatorStep => ({ kind: 'last' }),
  ref: (ref: string): LocatorStep => ({ kind: 'ref', ref }),
};

/** Wrap a session in a driver. */
export function driverFor(session: BrowserSession, baseUrl: string): Driver {
  const page = (op: string, ...args: JsonValue[]) =>
    session.execute({ command: { target: 'page', op: op as never, args } });
  return {
    session,
    page,
    loc: (locator, op, ...args) =>
      session.execute({ command: { target: 'locator', op: op as never, locator, args } }),
    async goto(pathOrUrl) {
      await page('goto', /^[a-z]+:/i.test(pathOrUrl) ? pathOrUrl : `${baseUrl}${pathOrUrl}`);
    },
  };
}
