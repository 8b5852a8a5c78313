import type { BrowserProvider, BrowserSession, OpenSessionOptions } from '@webtasks/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureSites, startFixtureSites } from '../sites/index.js';
import { registerBoundaryTests } from './browser/boundary-tests.js';
import { registerDownloadTests } from './browser/download-tests.js';
import { registerEgressTests } from './browser/egress-tests.js';
import { registerErrorTests } from './browser/error-tests.js';
import {
  type BrowserContractContext,
  type BrowserTestRegistrar,
  type Driver,
  driverFor,
} from './browser/harness.js';
import { registerObserveTests } from './browser/observe-tests.js';
import { registerPageTests } from './browser/page-tests.js';
import { createSkipRegistry, skipIfListed } from './skip-registry.js';

export type { BrowserContractContext, Driver } from './browser/harness.js';

/** Options of `describeBrowserProviderContract`. */
export interface BrowserProviderContractOptions {
  /** Shown in the `describe` title, e.g. `playwright`. */
  name: string;
  /**
   * The provider under test, created once for the whole suite (browsers are expensive);
   * each test opens its own sessions. Its default egress policy must block private networks.
   */
  create: () => Promise<BrowserProvider> | BrowserProvider;
  /** Release the provider. Defaults to `provider.close()`. */
  cleanup?: (provider: BrowserProvider) => Promise<void> | void;
  /** Tests (by exact title) this provider cannot pass, with the reason; registered as skipped. */
  skip?: Array<{ reason: string; tests: string[] }>;
}

/**
 * The contract every `BrowserProvider` passes, run against the project's fixture sites
 * (started by the suite on 127.0.0.1): isolated sessions, every family of page and locator
 * operations, `observe()` refs, the egress policy, downloads, screenshots, traces and error
 * codes. Sessions that must reach the fixture sites allow `127.0.0.1:<port>` explicitly.
 */
export function describeBrowserProviderContract(options: BrowserProviderContractOptions): void {
  describe(`BrowserProvider contract: ${options.name}`, () => {
    let provider: BrowserProvider;
    let sites: FixtureSites;
    let sessions: BrowserSession[] = [];

    beforeAll(async () => {
      sites = await startFixtureSites();
      provider = await options.create();
    });
    afterEach(async () => {
      const open = sessions;
      sessions = [];
      await Promise.all(open.map((s) => s.close().catch(() => ({}))));
    });
    afterAll(async () => {
      if (provider) await (options.cleanup ?? ((p: BrowserProvider) => p.close()))(provider);
      await sites?.close();
    });

    const openWith = async (sessionOptions: OpenSessionOptions): Promise<Driver> => {
      const session = await provider.openSession(sessionOptions);
      sessions.push(session);
      return driverFor(session, sites.baseUrl);
    };
    const context: BrowserContractContext = {
      get provider() {
        return provider;
      },
      get sites() {
        return sites;
      },
      open: (sessionOptions = {}) =>
        openWith({
          ...sessionOptions,
          egress: sessionOptions.egress ?? { allowHosts: [`127.0.0.1:${sites.port}`] },
        }),
      openDefault: (sessionOptions = {}) => openWith(sessionOptions),
    };

    const skips = createSkipRegistry(options.skip);
    const test: BrowserTestRegistrar = (title, body, testOptions = {}) => {
      if (skipIfListed(skips, title)) return;
      it(
        title,
        async (ctx) => {
          if (testOptions.needs && !provider.capabilities[testOptions.needs]) {
            ctx.skip(`the provider has no ${testOptions.needs} capability`);
          }
          await body(context);
        },
        testOptions.timeoutMs ?? 30_000,
      );
    };

    it('declares specification v1 and its capabilities', () => {
      expect(provider.specificationVersion).toBe('v1');
      for (const key of ['traces', 'downloads', 'screenshots'] as const)
        expect(typeof provider.capabilities[key]).toBe('boolean');
    });
    registerPageTests(test);
    registerObserveTests(test);
    registerEgressTests(test);
    registerBoundaryTests(test);
    registerDownloadTests(test);
    registerErrorTests(test);

    skips.checkSkips();
  });
}
