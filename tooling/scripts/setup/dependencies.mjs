// Dependencies: `pnpm install --frozen-lockfile` when node_modules is missing or older than the
// lockfile. isolated-vm compiles from source with node-gyp, which needs Node's headers (found
// beside this Node and passed as npm_config_nodedir: pnpm ignores npm's own `nodedir`) and a
// C++ toolchain; a failed install is diagnosed into the one line that says what to install.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { lastLine } from './pnpm.mjs';
import { describeExit, onPath, SetupError, stream } from './process.mjs';

/** The directory holding `include/node/node.h` for this Node, or undefined. */
export function findNodeHeaders(execPath = process.execPath) {
  const candidates = [path.resolve(path.dirname(execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((dir) => existsSync(path.join(dir, 'include/node/node.h')));
}

/** Whether node_modules is installed and at least as new as the lockfile. */
export function dependenciesInstalled(root) {
  const marker = path.join(root, 'node_modules/.pnpm/lock.yaml');
  if (!existsSync(marker) || !existsSync(path.join(root, 'node_modules/.modules.yaml'))) return false;
  return statSync(marker).mtimeMs >= statSync(path.join(root, 'pnpm-lock.yaml')).mtimeMs;
}

/** The C++ build tools node-gyp needs that are not on PATH. */
export function missingToolchain(env = process.env) {
  const missing = [];
  if (!onPath('make', env)) missing.push('make');
  if (!onPath('c++', env) && !onPath('g++', env) && !onPath('clang++', env))
    missing.push('a C++ compiler (g++)');
  if (!onPath('python3', env)) missing.push('python3');
  return missing;
}

/**
 * The one line that says why `pnpm install` failed and what to do, from its output and
 * what this machine lacks.
 */
export function diagnoseInstallFailure({ output, exit, toolchain, nodedir, version }) {
  const gyp = /node-gyp|gyp ERR|isolated-vm/i.test(output);
  if (gyp && toolchain.length > 0) {
    return `isolated-vm is compiled from source and ${toolchain.join(', ')} ${toolchain.length > 1 ? 'are' : 'is'} missing: install a C++ toolchain (Debian/Ubuntu as root: \`apt-get install -y python3 make g++\`; macOS: \`xcode-select --install\`), then run this again.`;
  }
  if (gyp && !nodedir) {
    return `isolated-vm is compiled from source and needs Node's headers, which are not beside this Node (${process.execPath}) and could not be downloaded: install them (Debian/Ubuntu: \`apt-get install -y libnode-dev\`, or use a Node from nodejs.org, which ships them) or set npm_config_nodedir to a directory with include/node/node.h.`;
  }
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ERR_PNPM_META_FETCH_FAIL|ERR_PNPM_FETCH/i.test(output)) {
    return 'pnpm install could not reach the npm registry: connect to the network (or set npm_config_registry to a reachable mirror), then run this again.';
  }
  if (/ERR_PNPM_OUTDATED_LOCKFILE|frozen/i.test(output)) {
    return `pnpm-lock.yaml does not match the package.json files: run \`pnpm install\` (pnpm ${version}) and commit the lockfile.`;
  }
  if (gyp) return `building isolated-vm failed (${exit}): ${lastLine(output)} — see the output above.`;
  return `pnpm install failed (${exit}): ${lastLine(output)} — see the output above.`;
}

/** Install dependencies when needed. Returns the environment later steps use (with npm_config_nodedir). */
export async function ensureDependencies({ root, env, pnpm, say, version }) {
  const nodedir = env.npm_config_nodedir ?? findNodeHeaders();
  const installEnv = nodedir ? { ...env, npm_config_nodedir: nodedir } : env;
  if (dependenciesInstalled(root)) {
    say('dependencies: installed (node_modules is up to date with pnpm-lock.yaml)');
    return installEnv;
  }
  say(
    `dependencies: pnpm install --frozen-lockfile (isolated-vm compiles from source, about 1–2 minutes the first time${nodedir ? `; Node headers from ${nodedir}` : ''})`,
  );
  const result = await stream(pnpm.command, ['install', '--frozen-lockfile', '--reporter=append-only'], {
    cwd: root,
    env: installEnv,
    prefix: '   ',
  });
  if (result.status === 0) return installEnv;
  throw new SetupError(
    diagnoseInstallFailure({
      output: result.output,
      exit: describeExit(result),
      toolchain: missingToolchain(env),
      nodedir,
      version,
    }),
  );
}
