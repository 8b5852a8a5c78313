import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../context.js';
import { runCli } from '../main.js';

/** The built binary the tests run (`npm test` builds it first; in development run `npx tsup`). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI run: the test's, minus any model configuration, plus `env`. */
export function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of [
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
    'WEBTASKS_OPENAI_BASE_URL',
    'WEBTASKS_MODEL_PROVIDER',
    'OPENAI_BASE_URL',
    'WEBTASKS_DATA_DIR',
    'NODE_OPTIONS',
  ]) {
    delete base[name];
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** Run the built `webtasks` binary as a child process, with plain `node` and no flags, as a user would. */
export function runBuiltCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CliRun> {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: build the CLI first (cd apps/cli && npx tsup, or pnpm build).`);
  }
  return runNode([CLI_PATH, ...args], options);
}

/** Run `node <args>` and collect its output. */
export function runNode(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: cliEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Run the CLI in this process (fast, for usage errors): output is collected. */
export async function runInProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? cliEnv(),
    cwd: options.cwd ?? REPO_ROOT,
    color: false,
    signal: new AbortController().signal,
  };
  const code = await runCli(args, ctx);
  return { code, stdout, stderr };
}
