#!/usr/bin/env node
// `npm run check`: the house rules CI enforces, each step timed, stopping at the first
// failure. Lint + format (biome), types (tsc per package on workspace sources, no build
// needed), unused files/dependencies/exports (knip), and a changeset for changed packages.
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

function git(args) {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * What `changeset status` compares against: where this branch left main. On a clone of main
 * itself that is HEAD, so there is no diff and nothing to ask for.
 */
function changesetBase() {
  for (const ref of ['main', 'origin/main']) {
    const base = git(['merge-base', 'HEAD', ref]);
    if (base) return base;
  }
  console.log('   (no main branch in this clone: checking the changeset files only)');
  return 'HEAD';
}

const steps = [
  ['lint and format (biome)', 'pnpm', ['exec', 'biome', 'check', '--error-on-warnings', '.']],
  ['types (tsc)', 'pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']],
  ['unused files, dependencies and exports (knip)', 'pnpm', ['exec', 'knip']],
  ['changesets', 'pnpm', ['exec', 'changeset', 'status', () => `--since=${changesetBase()}`]],
];

const started = Date.now();
for (const [name, command, args] of steps) {
  console.log(`== ${name} (${Math.round((Date.now() - started) / 1000)}s)`);
  const resolved = args.map((arg) => (typeof arg === 'function' ? arg() : arg));
  const result = spawnSync(command, resolved, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `\n✖ ${name} failed: ${command} ${resolved.join(' ')} (exit ${result.status ?? result.signal})`,
    );
    if (name === 'changesets') {
      console.error(
        '  Add one with `pnpm changeset` (or `pnpm changeset --empty` for a change no user sees).',
      );
    }
    process.exit(result.status ?? 1);
  }
}
console.log(`== house rules hold (${Math.round((Date.now() - started) / 1000)}s)`);
