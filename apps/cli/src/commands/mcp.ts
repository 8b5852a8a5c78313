import { readFileSync } from 'node:fs';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { checkAllowHost, type FlagSpec, parseFlags, parseNumber } from '../flags.js';
import { MCP_HELP } from '../help.js';
import { createStderrLogger } from '../stderr-logger.js';

const MCP_FLAGS = {
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies FlagSpec;

function cliVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * `webtasks mcp`: an MCP server on stdin/stdout over the embedded engine (the data dir and
 * model configuration of `webtasks run`). Every saved reuse key of the workspace is a tool.
 * Stdout carries only the protocol; messages go to stderr. Ends when stdin closes or on Ctrl-C.
 */
export async function mcpCommand(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args, MCP_FLAGS, 'mcp');
  if (flags.boolean('help')) {
    ctx.stdout.write(`${MCP_HELP}\n`);
    return EXIT.ok;
  }
  const workspaceId = flags.string('workspace') ?? 'local';
  const allowHosts = flags.list('allow-host').map((host) => checkAllowHost(host, 'mcp'));
  const timeoutSeconds = parseNumber(flags.string('timeout'), '--timeout');
  // Loaded once the flags are checked: the engine's adapters take seconds to import.
  const { createEmbeddedEngine, loadEmbeddedConfig } = await import('../embedded.js');
  const config = await loadEmbeddedConfig({
    env: ctx.env,
    cwd: ctx.cwd,
    flags: { dataDir: flags.string('data-dir'), allowHosts, timeoutSeconds },
    stderr: ctx.stderr,
  });
  const { dataDir } = config;
  const logger = flags.boolean('verbose') ? createStderrLogger(ctx.stderr) : undefined;
  const embedded = await createEmbeddedEngine({ config, ...(logger ? { logger } : {}) });
  const { engine } = embedded;
  const [{ createWebTasksMcpServer }, { StdioServerTransport }] = await Promise.all([
    import('@webtasks/mcp'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
  ]);
  const mcp = createWebTasksMcpServer({
    engine,
    workspaceId,
    name: 'webtasks',
    version: cliVersion(),
    ...(timeoutSeconds ? { runTimeoutMs: Math.round(timeoutSeconds * 1000) + 30_000 } : {}),
    ...(logger ? { logger } : {}),
  });
  try {
    await mcp.connect(new StdioServerTransport(process.stdin, process.stdout));
    ctx.stderr.write(
      `webtasks mcp — data dir ${dataDir}, workspace ${workspaceId}, model ${embedded.modelDescription}; serving MCP on stdio\n`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      process.stdin.once('end', () => resolve());
      process.stdin.once('close', () => resolve());
    });
    return EXIT.ok;
  } finally {
    await mcp.close().catch(() => undefined);
    await embedded.close();
  }
}
