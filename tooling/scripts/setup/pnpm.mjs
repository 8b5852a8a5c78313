// pnpm without a global install: the pinned version (package.json's `packageManager`) from
// PATH when it is there, else fetched once by npm itself (`npm exec --package=pnpm@X`), which
// keeps it in npm's cache for the next time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { capture, describeExit, SetupError, stream } from './process.mjs';

/** The pnpm version package.json pins (`"packageManager": "pnpm@12.4.2"`). */
export function pinnedPnpmVersion(root) {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(manifest.packageManager ?? '');
  if (!match) throw new SetupError('package.json has no "packageManager": "pnpm@X.Y.Z" field.');
  return match[1];
}

/**
 * Find a pnpm of the pinned version: `{ command, source }`. Tries PATH, then `npm exec`.
 * Throws a SetupError with the one line to act on when neither works.
 */
export async function resolvePnpm({ root, env, say }) {
  const version = pinnedPnpmVersion(root);
  const onPathVersion = capture('pnpm', ['--version'], { env });
  if (onPathVersion === version) return { command: 'pnpm', source: `pnpm ${version} on PATH` };
  const why =
    onPathVersion === undefined
      ? 'pnpm is not installed'
      : `pnpm ${onPathVersion} on PATH is not the pinned ${version}`;
  say(`${why}: fetching pnpm ${version} with npm (npm exec, no global install)`);
  // `command -v` inside npm exec's shell prints where npm put the binary; later steps call it directly.
  const result = await stream(
    'npm',
    ['exec', '--yes', `--package=pnpm@${version}`, '--', 'sh', '-c', 'command -v pnpm'],
    { cwd: root, env, quiet: true },
  );
  const binary = result.output.trim().split('\n').pop() ?? '';
  if (result.status === 0 && binary.startsWith('/')) {
    const got = capture(binary, ['--version'], { env });
    // turbo looks pnpm up on PATH too: later steps get its directory in front.
    if (got === version) {
      return {
        command: binary,
        source: `pnpm ${version} from npm's cache (${binary})`,
        binDir: path.dirname(binary),
      };
    }
  }
  if (result.error?.code === 'ENOENT') {
    throw new SetupError('npm is not on PATH: install Node.js 20 or later with npm, then run this again.');
  }
  const offline = /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network|ENETUNREACH/i.test(result.output);
  throw new SetupError(
    offline
      ? `pnpm ${version} is not installed and npm could not download it (no network to the npm registry): install it where the registry is reachable with \`npm install -g pnpm@${version}\`, or run \`corepack enable\` there.`
      : `pnpm ${version} could not be fetched with npm (${describeExit(result)}: ${lastLine(result.output)}): install it with \`npm install -g pnpm@${version}\` and run this again.`,
  );
}

/** The last non-empty line of some output, for a one-line error. */
export function lastLine(output) {
  return (
    output
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .pop() ?? 'no output'
  );
}
