// `pnpm bench`: build the packages when their dist is missing, then run the bench in a Node
// started with --no-node-snapshot (isolated-vm needs it in every process that may create isolates).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { missingBuilds, ROOT } from './lib/packages.mjs';

// `pnpm bench -- --only x` hands the `--` through: drop it, as npm would.
const args = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--'));
const missing = missingBuilds();
if (missing.length > 0 || args.includes('--build')) {
  console.log(
    missing.length > 0 ? `bench: building (${missing.join(', ')} not built)` : 'bench: building (--build)',
  );
  const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawnSync(
  process.execPath,
  ['--no-node-snapshot', join(ROOT, 'bench', 'main.mjs'), ...args.filter((a) => a !== '--build')],
  { cwd: ROOT, stdio: 'inherit' },
);
process.exit(child.status ?? (child.signal ? 1 : 0));
