import { readFileSync } from 'node:fs';
import type { CliContext } from './context.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { MAIN_HELP } from './help.js';

type Command = (args: string[], ctx: CliContext) => Promise<number>;

// Commands load their modules on demand: Playwright, ts-morph and the SDKs take seconds to
// import, which `--help` or `result` should not pay.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  start: async () => (await import('./commands/remote.js')).startCommand,
  result: async () => (await import('./commands/remote.js')).resultCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  mcp: async () => (await import('./commands/mcp.js')).mcpCommand,
  bundles: async () => (await import('./commands/bundles.js')).bundlesCommand,
  runs: async () => (await import('./commands/runs.js')).runsCommand,
  auth: async () => (await import('./commands/auth.js')).authCommand,
  secrets: async () => (await import('./commands/auth.js')).secretsCommand,
};

/** The CLI's version, from its package.json (one level up from both `src/` and `dist/`). */
function version(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

/** Run `webtasks` with `argv` (without `node` and the script) and return the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      ctx.stderr.write(`${MAIN_HELP}\n`);
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      ctx.stdout.write(`${MAIN_HELP}\n`);
      return EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      ctx.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const load = COMMANDS[name];
    if (!load) {
      const hint = name.startsWith('-') ? 'Put flags after the command' : `Unknown command "${name}"`;
      throw usageError(
        `${hint}; commands: ${Object.keys(COMMANDS).join(', ')}.\nRun \`webtasks --help\` for usage.`,
      );
    }
    const command = await load();
    return await command(rest, ctx);
  } catch (error) {
    const { message, exitCode } = await describeFailure(error);
    ctx.stderr.write(`webtasks: ${message}\n`);
    return exitCode;
  }
}

async function describeFailure(error: unknown): Promise<{ message: string; exitCode: number }> {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const { WebTasksError } = await import('@webtasks/core');
  if (WebTasksError.isInstance(error)) {
    const exitCode =
      error.code === 'not-found'
        ? EXIT.notFound
        : error.code === 'invalid-request' || error.code === 'invalid-config'
          ? EXIT.usage
          : EXIT.failed;
    return { message: error.message, exitCode };
  }
  return {
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    exitCode: EXIT.failed,
  };
}
