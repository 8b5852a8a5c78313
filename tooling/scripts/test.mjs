#!/usr/bin/env node
// `npm test`: set up what the tests need, then run every test once and print one summary
// line ("N passed, N failed"). Steps: dependencies present → services (PostgreSQL,
// Redis) running → packages built (the CLI and server tests run built binaries) → vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const env = { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.status !== 0) {
    console.error(`\n✖ ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(join(root, 'node_modules/.pnpm'))) {
  console.log('== installing dependencies (pnpm install)');
  run('pnpm', ['install', '--frozen-lockfile']);
}
if (existsSync(join(root, 'tooling/scripts/services.sh'))) {
  console.log('== services');
  run('bash', ['tooling/scripts/services.sh']);
}
if (!existsSync('/usr/bin/chromium')) {
  console.error(
    'Chromium is missing: install it with `apt-get install -y chromium` (the tests drive a real browser).',
  );
  process.exit(1);
}
console.log('== build');
run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);

console.log('== tests');
const reportDir = mkdtempSync(join(tmpdir(), 'webtasks-test-'));
const extra = process.argv.slice(2);
const runs = [
  // Everything that can share the machine, in parallel.
  { name: 'main', args: [] },
  // Then, alone: the multi-process tests restart the shared PostgreSQL server.
  { name: 'multiprocess', args: ['--config', 'tooling/scenarios/vitest.multiprocess.config.ts'] },
];
const totals = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
for (const run of runs) {
  if (extra.length > 0 && run.name !== 'main') break; // a filtered run (npm test -- <filter>) runs once
  const report = join(reportDir, `${run.name}.json`);
  const vitest = spawnSync(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      ...run.args,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...extra,
    ],
    { cwd: root, stdio: 'inherit', env },
  );
  try {
    const data = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += data.numPassedTests ?? 0;
    totals.failed += data.numFailedTests ?? 0;
    totals.skipped += (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
    if ((data.numFailedTestSuites ?? 0) > 0 && (data.numFailedTests ?? 0) === 0)
      totals.failed += data.numFailedTestSuites;
  } catch {
    if (vitest.status !== 0) totals.failed += 1;
  }
  if (vitest.status !== 0) status = vitest.status ?? 1;
}
rmSync(reportDir, { recursive: true, force: true });
console.log(
  `\nTests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exit(status);
