// The set-up `npm run demo` and `npm test` share: each step says what it does, and a step that
// cannot be done prints one line saying what to do, then exits 1.
//
//   node     Node ≥ 20
//   pnpm     the pinned version, from PATH or fetched by npm (no global install)
//   deps     pnpm install --frozen-lockfile, with Node's headers for isolated-vm's native build
//   chromium present (WEBTASKS_CHROMIUM_PATH, /usr/bin/chromium, Playwright's cache) or installed
//   build    turbo, a line per package with its elapsed time
//   services PostgreSQL and Redis (tests only: tooling/scripts/services.sh)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { ensureChromium } from './chromium.mjs';
import { ensureDependencies } from './dependencies.mjs';
import { pinnedPnpmVersion, resolvePnpm } from './pnpm.mjs';
import { describeExit, SetupError, stream } from './process.mjs';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const MIN_NODE_MAJOR = 20;

/**
 * Run every set-up step. `build` is turbo's filter of what to build (all packages when absent);
 * `services` also starts PostgreSQL and Redis. Resolves `{ env, pnpm }`: the environment the
 * commands after set-up run with (npm_config_nodedir, WEBTASKS_CHROMIUM_PATH) and the pnpm used.
 */
export async function setup({ root = ROOT, name, filter, services = false, env = process.env }) {
  const started = Date.now();
  const say = (text) => process.stdout.write(`== ${text}\n`);
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    throw new SetupError(
      `Node ${process.versions.node} is too old: install Node ${MIN_NODE_MAJOR} or later.`,
    );
  }
  say(`${name}: setting up (Node ${process.versions.node}, ${process.platform}/${process.arch})`);
  const version = pinnedPnpmVersion(root);
  const pnpm = await resolvePnpm({ root, env, say });
  say(`pnpm: ${pnpm.source}`);
  const withPnpm = pnpm.binDir ? { ...env, PATH: `${pnpm.binDir}${path.delimiter}${env.PATH ?? ''}` } : env;
  let nextEnv = await ensureDependencies({ root, env: withPnpm, pnpm, say, version });
  const chromium = await ensureChromium({ root, env: nextEnv, say });
  nextEnv = { ...nextEnv, WEBTASKS_CHROMIUM_PATH: chromium };
  await build({ root, env: nextEnv, filter, say });
  if (services) {
    say('services: PostgreSQL and Redis for the adapter tests (tooling/scripts/services.sh)');
    const result = await stream('bash', ['tooling/scripts/services.sh'], {
      cwd: root,
      env: nextEnv,
      prefix: '   ',
    });
    if (result.status !== 0) {
      throw new SetupError(
        `starting PostgreSQL and Redis failed (${describeExit(result)}): see above; as root, \`bash tooling/scripts/services.sh\` installs and starts them.`,
      );
    }
  }
  say(`${name}: set up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { env: nextEnv, pnpm };
}

/** Run `setup` and exit 1 with its one-line message when a step cannot be done. */
export async function setupOrExit(options) {
  try {
    return await setup(options);
  } catch (error) {
    if (error instanceof SetupError) {
      process.stderr.write(`\n${options.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
