import type {
  BrowserProvider,
  BrowserSession,
  DownloadedFile,
  LocatorStep,
  PageCommand,
  PageSnapshot,
} from '@webtasks/core';
import { WebTasksError } from '@webtasks/core';

/** An element of a fake page. */
export interface FakeElement {
  text: string;
  attributes?: Record<string, string>;
}

/** A page of a fake site: elements by CSS selector, matched literally. */
export interface FakePage {
  title: string;
  elements: Record<string, Array<string | FakeElement>>;
}

/** A whole fake site, mutable between runs (to simulate markup changes). */
export interface FakeSite {
  pages: Record<string, FakePage>;
  files?: Record<string, { body: Uint8Array; contentType: string; name: string }>;
  /** URLs the fake egress policy refuses. */
  deny?: (url: string) => boolean;
}

/** The fake provider plus what tests inspect. */
export interface FakeBrowserProvider extends BrowserProvider {
  site: FakeSite;
  readonly commands: PageCommand[];
  readonly sessionsOpened: number;
  readonly sessionsOpen: number;
}

function pageError(message: string): WebTasksError {
  return new WebTasksError({ code: 'page-error', message });
}

function element(value: string | FakeElement): FakeElement {
  return typeof value === 'string' ? { text: value } : value;
}

/**
 * A browser for engine tests: pages are plain data, locators are `locator(selector)` with
 * `nth`/`first`/`last`, and every command is recorded. Real browser behaviour is covered by
 * the BrowserProvider contract suite against Chromium; this fake exists for engine logic.
 */
export function createFakeBrowserProvider(options: { site: FakeSite }): FakeBrowserProvider {
  const commands: PageCommand[] = [];
  let opened = 0;
  let open = 0;
  const provider: FakeBrowserProvider = {
    specificationVersion: 'v1',
    capabilities: { traces: false, downloads: true, screenshots: false },
    site: options.site,
    commands,
    get sessionsOpened() {
      return opened;
    },
    get sessionsOpen() {
      return open;
    },
    async openSession() {
      opened += 1;
      open += 1;
      let url = 'about:blank';
      const values = new Map<string, string>();
      const current = (): FakePage | undefined => provider.site.pages[url];

      const resolve = (chain: LocatorStep[]): FakeElement[] => {
        let found: FakeElement[] = [];
        for (const step of chain) {
          if (step.kind === 'locator') found = (current()?.elements[step.selector] ?? []).map(element);
          else if (step.kind === 'nth')
            found = found[step.index < 0 ? found.length + step.index : step.index]
              ? [found.at(step.index)!]
              : [];
          else if (step.kind === 'first') found = found.slice(0, 1);
          else if (step.kind === 'last') found = found.slice(-1);
          else throw pageError(`the fake browser does not support ${step.kind} locators`);
        }
        return found;
      };
      const goto = (target: string) => {
        const absolute = new URL(target, url === 'about:blank' ? undefined : url).href;
        if (provider.site.deny?.(absolute)) {
          throw new WebTasksError({
            code: 'policy-denied',
            message: `The egress policy does not allow ${absolute}`,
          });
        }
        if (!provider.site.pages[absolute]) throw pageError(`net::ERR_CONNECTION_REFUSED at ${absolute}`);
        url = absolute;
      };

      const session: BrowserSession = {
        id: `fake-session-${opened}`,
        async execute({ command }) {
          commands.push(structuredClone(command));
          if (command.target === 'page') {
            switch (command.op) {
              case 'goto':
                goto(String(command.args[0]));
                return null;
              case 'url':
                return url;
              case 'title':
                return current()?.title ?? '';
              case 'content': {
                const page = current();
                const body = Object.entries(page?.elements ?? {})
                  .flatMap(([selector, items]) =>
                    items.map((item) => `<p data-selector="${selector}">${element(item).text ?? ''}</p>`),
                  )
                  .join('');
                return `<html><head><title>${page?.title ?? ''}</title></head><body>${body}</body></html>`;
              }
              case 'waitForTimeout':
                await new Promise((resolve) =>
                  setTimeout(resolve, Math.min(Number(command.args[0]) || 0, 10_000)),
                );
                return null;
              case 'waitForLoadState':
                return null;
              default:
                throw pageError(`the fake browser does not support page.${command.op}`);
            }
          }
          const found = resolve(command.locator);
          const first = (): FakeElement => {
            const el = found[0];
            if (!el)
              throw pageError(
                `locator.${command.op}: Timeout 1000ms exceeded waiting for ${JSON.stringify(command.locator)}`,
              );
            return el;
          };
          const key = JSON.stringify(command.locator);
          switch (command.op) {
            case 'count':
              return found.length;
            case 'allTextContents':
            case 'allInnerTexts':
              return found.map((el) => el.text);
            case 'textContent':
            case 'innerText':
              return first().text;
            case 'getAttribute':
              return first().attributes?.[String(command.args[0])] ?? null;
            case 'isVisible':
              return found.length > 0;
            case 'waitFor':
              first();
              return null;
            case 'click': {
              const href = first().attributes?.href;
              if (href) goto(href);
              return null;
            }
            case 'fill':
              first();
              values.set(key, String(command.args[0]));
              return null;
            case 'inputValue':
              first();
              return values.get(key) ?? '';
            default:
              throw pageError(`the fake browser does not support locator.${command.op}`);
          }
        },
        async observe(): Promise<PageSnapshot> {
          const page = current();
          const lines = Object.entries(page?.elements ?? {}).flatMap(([selector, items]) =>
            items.slice(0, 5).map((item) => `- ${selector}: ${element(item).text}`),
          );
          const text = lines.join('\n');
          return {
            url,
            title: page?.title ?? '',
            text,
            sizeBytes: Buffer.byteLength(text),
            rawHtmlBytes: Buffer.byteLength(text) * 4,
          };
        },
        async screenshot() {
          return new Uint8Array([137, 80, 78, 71]);
        },
        async download({ trigger }): Promise<DownloadedFile> {
          const target =
            trigger.kind === 'url'
              ? new URL(trigger.url, url).href
              : resolve(trigger.locator)[0]?.attributes?.href;
          const file = target ? provider.site.files?.[new URL(target, url).href] : undefined;
          if (!file || !target) throw pageError(`no download at ${target ?? JSON.stringify(trigger)}`);
          return {
            suggestedName: file.name,
            contentType: file.contentType,
            url: new URL(target, url).href,
            body: file.body,
          };
        },
        async close() {
          open -= 1;
          return {};
        },
      };
      return session;
    },
    async close() {},
  };
  return provider;
}
