/**
 * The runtime of an exported script, as JavaScript text: it builds the same `ctx` the sandbox
 * gives a bundle, from plain Playwright. `page` is the real Playwright Page (the runtime's
 * `page` is a subset of it with the same semantics), `params` come from argv or the
 * environment, `log` goes to stderr, `files` saves downloads to a folder, and `ai` throws.
 * Kept as text so the exported file depends on nothing but Node and playwright-core.
 */
export const STANDALONE_RUNTIME = `import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = \`Usage: node \${path.basename(process.argv[1] ?? 'script.mjs')} [--params JSON | --params-file FILE] [--downloads DIR] [--headed]
  --params JSON       parameters of the run (default: $WEBTASKS_PARAMS, else {})
  --params-file FILE  parameters from a JSON file
  --downloads DIR     where ctx.files saves downloads (default ./downloads)
  --headed            show the browser window
Environment: CHROMIUM_PATH (default /usr/bin/chromium when it exists, else Playwright's own browser).
Prints the output as JSON on stdout; logs go to stderr.\`;

function fail(message, exitCode = 2) {
  console.error(\`error: \${message}\`);
  process.exit(exitCode);
}

function readOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        params: { type: 'string' },
        'params-file': { type: 'string' },
        downloads: { type: 'string' },
        headed: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(\`\${error.message}\\n\${USAGE}\`);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return parsed;
}

async function readParams(options) {
  let text = options.params ?? process.env.WEBTASKS_PARAMS;
  if (options['params-file']) text = await readFile(options['params-file'], 'utf8');
  if (text === undefined || text.trim() === '') return {};
  let params;
  try {
    params = JSON.parse(text);
  } catch (error) {
    fail(\`the parameters are not valid JSON (\${error.message}), e.g. --params '{"batch":"S24"}'\`);
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) fail('the parameters must be a JSON object');
  return params;
}

async function loadPlaywright() {
  for (const name of ['playwright-core', 'playwright']) {
    try {
      return await import(name);
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  fail('this script needs Playwright: run \`npm install playwright-core\` beside it (and install Chromium).');
}

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

function createLog() {
  const write = (level) => (...values) =>
    console.error(\`[\${level}]\`, ...values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function createFiles(page, directory) {
  let count = 0;
  const store = async (name, write, contentType, sourceUrl) => {
    count += 1;
    const fileId = \`file_\${String(count).padStart(4, '0')}\`;
    const safeName = path.basename(name || fileId).replace(/[^\\w.\\- ]+/g, '_') || fileId;
    await mkdir(directory, { recursive: true });
    const target = path.join(directory, safeName);
    await write(target);
    console.error(\`[file] saved \${target}\`);
    const bytes = await readFile(target);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { fileId, name: safeName, contentType, sizeBytes: bytes.byteLength, sha256, sourceUrl };
  };
  return {
    async downloadFromClick(locator, options = {}) {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: options.timeout ?? 30_000 }),
        locator.click(),
      ]);
      const name = options.name ?? download.suggestedFilename();
      return store(name, (target) => download.saveAs(target), 'application/octet-stream', download.url());
    },
    async download(url, options = {}) {
      const absolute = new URL(url, page.url()).href;
      const response = await page.context().request.get(absolute, { timeout: options.timeout ?? 30_000 });
      if (!response.ok()) throw new Error(\`download of \${absolute} failed: HTTP \${response.status()}\`);
      const contentType = (response.headers()['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
      const name = options.name ?? (decodeURIComponent(new URL(absolute).pathname.split('/').pop() || '') || 'download');
      const body = await response.body();
      return store(name, (target) => writeFile(target, body), contentType, absolute);
    },
  };
}

function unavailableAi(name) {
  return async () => {
    throw new Error(
      \`ctx.ai.\${name} is not available in exported scripts: replace the call with code, or call your own model here.\`,
    );
  };
}

async function main(run) {
  const options = readOptions();
  const params = await readParams(options);
  const { chromium } = await loadPlaywright();
  const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({
    headless: !options.headed,
    args: LAUNCH_ARGS,
    ...(executablePath ? { executablePath } : {}),
  });
  let exitCode = 0;
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(30_000);
    const page = await context.newPage();
    const ctx = {
      page,
      params,
      log: createLog(),
      files: createFiles(page, path.resolve(options.downloads ?? 'downloads')),
      ai: { extract: unavailableAi('extract'), classify: unavailableAi('classify') },
    };
    const output = await run(ctx);
    process.stdout.write(\`\${JSON.stringify(output ?? null, null, 2)}\\n\`);
  } catch (error) {
    console.error(\`error: \${error?.stack ?? error}\`);
    exitCode = 1;
  } finally {
    await browser.close().catch(() => undefined);
  }
  process.exit(exitCode);
}
`;
