import { createContext, runInContext } from 'node:vm';

/**
 * Evaluate compiled bundle JavaScript the way the sandbox does (CommonJS shape: `module` and
 * `exports` in scope, nothing else) in a fresh node:vm context, and call its default export.
 * Returns the output as plain JSON, or throws what the code threw.
 */
export async function runCompiledBundle(
  javascript: string,
  context: unknown,
  timeoutMs = 1_000,
): Promise<unknown> {
  const moduleObject = { exports: {} as Record<string, unknown> };
  const sandbox = createContext({ module: moduleObject, exports: moduleObject.exports });
  runInContext(javascript, sandbox, { timeout: timeoutMs, filename: 'bundle.js' });
  const run = moduleObject.exports.default;
  if (typeof run !== 'function')
    throw new Error('the compiled code did not set exports.default to a function');
  const output = await run(context);
  return JSON.parse(JSON.stringify(output ?? null));
}

/** The calls a fake directory context recorded, in order. */
export interface FakeDirectoryContext {
  context: unknown;
  calls: string[];
}

/**
 * A tiny fake `TaskContext` for `DIRECTORY_BUNDLE`: two pages of two companies, a "Next"
 * link on the first page only, one PDF link, a page title, a download and an ai.extract.
 */
export function fakeDirectoryContext(): FakeDirectoryContext {
  const calls: string[] = [];
  let pageNumber = 1;
  const card = (id: number) => ({
    getByRole: (role: string) => ({
      textContent: async () => `  Company\n ${id}  ${role === 'heading' ? '' : '?'}`,
    }),
    locator: (selector: string) =>
      selector === 'a'
        ? {
            first: () => ({
              getAttribute: async (name: string) => (name === 'href' ? `/companies/${id}` : null),
            }),
          }
        : { textContent: async () => (selector === '.batch' ? 'S24' : null) },
  });
  const page = {
    goto: async (url: string) => {
      calls.push(`goto ${url}`);
      return null;
    },
    locator: (selector: string) =>
      selector === 'ul.companies > li'
        ? { all: async () => [card(pageNumber * 10 + 1), card(pageNumber * 10 + 2)] }
        : {
            evaluateAll: async (fn: unknown, arg: unknown) => {
              calls.push(`evaluateAll ${typeof fn} ${String(arg)}`);
              return ['https://example.test/r.pdf'];
            },
          },
    getByRole: (role: string, options: { name?: string }) => ({
      count: async () => (role === 'link' && options.name === 'Next' && pageNumber < 2 ? 1 : 0),
      click: async () => {
        calls.push('click Next');
        pageNumber += 1;
      },
    }),
    waitForLoadState: async (state: string) => {
      calls.push(`waitForLoadState ${state}`);
    },
    evaluate: async (fn: unknown) => {
      calls.push(`evaluate ${typeof fn}`);
      return 'Directory';
    },
  };
  const context = {
    page,
    params: { startUrl: 'https://example.test/companies', maxPages: 5 },
    files: {
      download: async (url: string, options: { name?: string }) => {
        calls.push(`download ${url} ${options.name ?? ''}`);
        return {
          fileId: 'f1',
          name: options.name ?? 'x',
          contentType: 'application/pdf',
          sizeBytes: 3,
          sourceUrl: url,
        };
      },
    },
    ai: {
      extract: async (options: { input: string }) => {
        calls.push(`ai.extract ${options.input.split('\n').length}`);
        return { sector: 'fintech' };
      },
    },
    log: {
      info: (...values: unknown[]) => calls.push(`log ${values.join(' ')}`),
    },
  };
  return { context, calls };
}

/** What `DIRECTORY_BUNDLE` returns on `fakeDirectoryContext()`. */
export const DIRECTORY_BUNDLE_OUTPUT = {
  title: 'Directory',
  companies: [11, 12, 21, 22].map((id) => ({ name: `Company ${id}`, url: `/companies/${id}`, batch: 'S24' })),
  report: {
    fileId: 'f1',
    name: 'report.pdf',
    contentType: 'application/pdf',
    sizeBytes: 3,
    sourceUrl: 'https://example.test/r.pdf',
  },
  sector: 'fintech',
};
