// Chromium: one already here (WEBTASKS_CHROMIUM_PATH, Debian's /usr/bin/chromium, or the one
// Playwright's installer keeps in its cache), else installed: with apt as root on Debian;
// elsewhere (Ubuntu's apt package is only a snap shim) with Playwright's own installer.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { lastLine } from './pnpm.mjs';
import { capture, describeExit, onPath, SetupError, stream } from './process.mjs';

const SYSTEM_PATHS = ['/usr/bin/chromium'];

/** playwright-core from the browser adapter's dependencies (installed by the dependencies step). */
function playwrightCore(root) {
  const require = createRequire(path.join(root, 'packages/browser-playwright/package.json'));
  const main = require.resolve('playwright-core');
  return { module: require('playwright-core'), cli: path.join(path.dirname(main), 'cli.js') };
}

/** Where Playwright's installer puts the Chromium this playwright-core drives, or undefined. */
function playwrightChromium(root) {
  try {
    const executable = playwrightCore(root).module.chromium.executablePath();
    return executable && existsSync(executable) ? executable : undefined;
  } catch {
    return undefined;
  }
}

/** The Linux distribution's id (`debian`, `ubuntu`, …) from /etc/os-release. */
function distribution() {
  try {
    return /^ID=("?)([^"\n]+)\1$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[2];
  } catch {
    return undefined;
  }
}

/** A Chromium already on this machine: `{ path, source }`, or undefined. */
export function findChromium({ root, env }) {
  const configured = env.WEBTASKS_CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) {
      throw new SetupError(
        `WEBTASKS_CHROMIUM_PATH=${configured} does not exist: point it at a Chromium or Chrome binary, or unset it.`,
      );
    }
    return { path: configured, source: 'WEBTASKS_CHROMIUM_PATH' };
  }
  const system = SYSTEM_PATHS.find((file) => existsSync(file));
  if (system) return { path: system, source: 'the system package' };
  const cached = playwrightChromium(root);
  if (cached) return { path: cached, source: "Playwright's browser cache" };
  return undefined;
}

async function installWithApt({ env, say }) {
  const root = process.getuid?.() === 0;
  const sudo = !root && onPath('sudo', env) && capture('sudo', ['-n', 'true'], { env }) !== undefined;
  if (!root && !sudo) {
    throw new SetupError(
      'Chromium is missing and installing it needs root: run `sudo apt-get install -y chromium`, or set WEBTASKS_CHROMIUM_PATH to a Chromium or Chrome binary, then run this again.',
    );
  }
  const prefix = root ? [] : ['sudo', '-n'];
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  say(
    `chromium: installing Debian's chromium package (${prefix.length ? 'sudo ' : ''}apt-get install -y chromium)`,
  );
  for (const args of [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', 'chromium'],
  ]) {
    const [command, ...rest] = [...prefix, ...args];
    const result = await stream(command, rest, { env: aptEnv, prefix: '   ' });
    if (result.status !== 0) {
      throw new SetupError(
        `\`${args.join(' ')}\` failed (${describeExit(result)}: ${lastLine(result.output)}): install Chromium yourself or set WEBTASKS_CHROMIUM_PATH, then run this again.`,
      );
    }
  }
}

async function installWithPlaywright({ root, env, say }) {
  const { cli } = playwrightCore(root);
  const withDeps = process.platform === 'linux' && process.getuid?.() === 0;
  const args = [cli, 'install', ...(withDeps ? ['--with-deps'] : []), 'chromium'];
  say(
    `chromium: installing Playwright's Chromium (playwright install ${withDeps ? '--with-deps ' : ''}chromium)`,
  );
  const result = await stream(process.execPath, args, { cwd: root, env, prefix: '   ' });
  if (result.status !== 0) {
    throw new SetupError(
      `Playwright's installer could not install Chromium (${describeExit(result)}: ${lastLine(result.output)}): install Chromium or Chrome yourself and set WEBTASKS_CHROMIUM_PATH to it, then run this again.`,
    );
  }
}

/** Make sure a Chromium is here; returns its path (later steps pass it as WEBTASKS_CHROMIUM_PATH). */
export async function ensureChromium({ root, env, say }) {
  let found = findChromium({ root, env });
  if (!found) {
    if (process.platform === 'linux' && distribution() === 'debian' && onPath('apt-get', env)) {
      await installWithApt({ env, say });
    } else {
      await installWithPlaywright({ root, env, say });
    }
    found = findChromium({ root, env });
    if (!found) {
      throw new SetupError(
        'Chromium was installed but cannot be found: set WEBTASKS_CHROMIUM_PATH to its binary and run this again.',
      );
    }
  }
  say(`chromium: ${found.path} (${found.source})`);
  return found.path;
}
