#!/usr/bin/env node
// `npm test`: set up what the tests need, then run every test once and print one summary
// line ("N passed, N failed"). Steps: dependencies present → services (PostgreSQL,
// Redis) running → packages built (the CLI and server tests run built binaries) → vitest.
// The set-up steps are shared with `npm run demo` (tooling/scripts/setup/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT as root, setupOrExit } from './setup/index.mjs';

// `--setup-only`: every set-up step, then stop (used by the bare-machine test and CI).
const setupOnly = process.argv.includes('--setup-only');
const { env } = await setupOrExit({ name: 'test', services: true });
if (setupOnly) process.exit(0);

console.log('== tests');
const reportDir = mkdtempSync(join(tmpdir(), 'webtasks-test-'));
const extra = process.argv.slice(2).filter((arg) => arg !== '--setup-only');
const runs = [
  // Everything that can share the machine, in parallel.
  { name: 'main', args: [] },
  // Then, alone: the multi-process tests restart the shared PostgreSQL server.
  { name: 'multiprocess', args: ['--config', 'tooling/scenarios/vitest.multiprocess.config.ts'] },
];
const totals = { passed: 0, failed: 0, skipped: 0 };
/** Runs that exited non-zero with every test passed: an error outside any test (an unhandled rejection). */
const erroredRuns = [];
let status = 0;
for (const run of runs) {
  if (extra.length > 0 && run.name !== 'main') break; // a filtered run (npm test -- <filter>) runs once
  const report = join(reportDir, `${run.name}.json`);
  const vitest = spawnSync(
    join(root, 'node_modules/.bin/vitest'),
    ['run', ...run.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
    { cwd: root, stdio: 'inherit', env },
  );
  try {
    const data = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += data.numPassedTests ?? 0;
    totals.failed += data.numFailedTests ?? 0;
    totals.skipped += (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
    if ((data.numFailedTestSuites ?? 0) > 0 && (data.numFailedTests ?? 0) === 0)
      totals.failed += data.numFailedTestSuites;
    else if (vitest.status !== 0 && (data.numFailedTests ?? 0) === 0) erroredRuns.push(run.name);
  } catch {
    if (vitest.status !== 0) {
      totals.failed += 1;
      if (vitest.error) console.error(`✖ vitest could not run: ${vitest.error.message}`);
    }
  }
  if (vitest.status !== 0) status = vitest.status ?? 1;
}
rmSync(reportDir, { recursive: true, force: true });
console.log(
  `\nTests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
for (const name of erroredRuns)
  console.log(
    `✖ the ${name} run failed outside any test: see "Unhandled Errors" above (a promise rejected with no handler, or a file that threw while loading)`,
  );
process.exit(status);
