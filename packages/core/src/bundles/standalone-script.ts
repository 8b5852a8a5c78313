import type { Bundle } from '../ports/bundle-store.js';
import { bundleParameters, describeParameters, paramsArgument } from './bundle-parameters.js';
import { STANDALONE_RUNTIME } from './standalone-runtime.js';

/** The install step an exported script needs, said by `bundles export` and in the script's header. */
export const STANDALONE_INSTALL = 'npm install playwright-core';

/** One line of text fit for a `//` comment. */
function commentLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A standalone Playwright script (an ES module) that runs `bundle` with plain playwright-core
 * and prints the same output as the engine: the bundle's compiled JavaScript, unchanged,
 * inside a small runtime that builds `ctx` from a real Playwright page.
 */
export function renderStandaloneScript(bundle: Bundle, javascript: string): string {
  const parameters = bundleParameters(bundle);
  const header = [
    '#!/usr/bin/env node',
    `// Standalone Playwright script exported by webtasks from bundle "${bundle.reuseKey}" v${bundle.version}`,
    `// (${bundle.origin}, saved ${bundle.createdAt}). You own it: edit it freely.`,
    `// Task: ${commentLine(bundle.task)}`,
    ...(bundle.startUrl ? [`// Start URL: ${bundle.startUrl}`] : []),
    '//',
    `// Run:   node ${bundle.reuseKey}.mjs${paramsArgument(parameters) || ` [--params '{"key":"value"}']`} [--downloads DIR] [--headed]`,
    ...(parameters.length > 0
      ? [
          '// Parameters the code reads:',
          ...describeParameters(parameters).map((line) => `//   ${commentLine(line)}`),
        ]
      : ['// Parameters: the code reads none.']),
    `// Needs: Node 20+, \`${STANDALONE_INSTALL}\`, and Chromium (CHROMIUM_PATH, default`,
    '//        /usr/bin/chromium when present, else the browser of `npx playwright install chromium`).',
    '// Prints the output as JSON on stdout; ctx.log goes to stderr. ctx.ai is not available here.',
    `// The TypeScript source: webtasks bundles show ${bundle.reuseKey} --version ${bundle.version}`,
  ].join('\n');
  return `${header}

${STANDALONE_RUNTIME}
/** The output schema the engine enforced for this bundle (for reference; not checked here). */
export const OUTPUT_SCHEMA = ${JSON.stringify(bundle.outputSchema, null, 2)};

// The bundle, compiled to JavaScript by webtasks (CommonJS shape: it sets exports.default).
// Left exactly as compiled (not even re-indented, which would change multi-line strings).
function loadBundle(module, exports) {
${javascript.trimEnd()}
}

const bundleModule = { exports: {} };
loadBundle(bundleModule, bundleModule.exports);
const run = bundleModule.exports.default ?? bundleModule.exports;
if (typeof run !== 'function') {
  console.error('error: the bundle has no default export function');
  process.exit(1);
}
await main(run);
`;
}
