import type { WebTaskResult } from '@webtasks/protocol';
import { createFsBundleStore } from '@webtasks/store-fs';
import { type CliContext, printJson } from '../context.js';
import { createEmbeddedEngine, modelFromEnv, resolveDataDir } from '../embedded.js';
import { EXIT, usageError } from '../exit-codes.js';
import { type FlagSpec, parseFlags, parseNumber } from '../flags.js';
import { RUN_HELP } from '../help.js';
import { createProgressPrinter } from '../progress.js';
import { failureHint, printResultBody, reuseSummary } from '../render-result.js';
import { createStderrLogger } from '../stderr-logger.js';
import { buildStartRequest, TASK_FLAGS } from '../task-request.js';

const RUN_FLAGS = {
  ...TASK_FLAGS,
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies FlagSpec;

/** `host`, `host:port` or `*.host`: what the egress allow-list takes. */
function checkAllowHost(host: string): string {
  if (!/^(\*\.)?[A-Za-z0-9._-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(host)) {
    throw usageError(
      `--allow-host takes a host or host:port like 127.0.0.1:8080 (no scheme, no path), got ${JSON.stringify(host)}.`,
      'run',
    );
  }
  return host;
}

/** `webtasks run "<task>" …`: the embedded engine, live progress on stderr, the output on stdout. */
export async function runCommand(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args, RUN_FLAGS, 'run', { max: 1 });
  if (flags.boolean('help')) {
    ctx.stdout.write(`${RUN_HELP}\n`);
    return EXIT.ok;
  }
  const request = buildStartRequest(flags, ctx.cwd, 'run');
  const timeoutSeconds = parseNumber(flags.string('timeout'), '--timeout');
  const allowHosts = flags.list('allow-host').map(checkAllowHost);
  const workspaceId = flags.string('workspace') ?? 'local';
  const dataDir = resolveDataDir(flags.string('data-dir'), ctx.env, ctx.cwd);
  const json = flags.boolean('json');

  const logger = flags.boolean('verbose') ? createStderrLogger(ctx.stderr) : undefined;
  const model = modelFromEnv(ctx.env, logger);
  // Checked before anything starts: without a model only saved code can run.
  const saved = request.reuseKey
    ? await createFsBundleStore({ directory: dataDir }).latest({ workspaceId, reuseKey: request.reuseKey })
    : undefined;
  if (!model && !saved) {
    throw usageError(
      request.reuseKey
        ? `No model is configured and reuse key "${request.reuseKey}" has no saved code in ${dataDir} (workspace "${workspaceId}"). Set ANTHROPIC_API_KEY so the agent can write the code, or import a bundle with \`webtasks bundles import\`.`
        : 'No model is configured, so there is nothing to run: set ANTHROPIC_API_KEY so the agent can explore the site and write the code (or pass --reuse-key of saved code).',
    );
  }
  const { engine } = createEmbeddedEngine({
    dataDir,
    env: ctx.env,
    model,
    allowHosts,
    ...(timeoutSeconds ? { taskTimeoutMs: Math.round(timeoutSeconds * 1000) } : {}),
    ...(logger ? { logger } : {}),
  });
  try {
    ctx.stderr.write(
      `webtasks run — data dir ${dataDir}, workspace ${workspaceId}, model ${model ? model.description : 'none (saved code only)'}\n`,
    );
    const progress = createProgressPrinter(ctx.stderr, {
      color: ctx.color,
      ...(request.reuseKey ? { reuseKey: request.reuseKey } : {}),
      ...(saved ? { savedVersion: saved.version } : {}),
    });
    const started = Date.now();
    const result: WebTaskResult = await engine.run({
      workspaceId,
      request,
      onEvent: progress.onEvent,
      signal: ctx.signal,
      ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) + 30_000 } : {}),
    });
    if (ctx.signal.aborted) {
      ctx.stderr.write(`interrupted; ${result.webTaskId} did not finish and nothing was saved\n`);
      return EXIT.interrupted;
    }
    const record = await engine.getTask({ workspaceId, webTaskId: result.webTaskId });
    const summary = reuseSummary(result, {
      modelCalls: progress.totals.modelCalls,
      bundleVersion: record?.bundleVersion ?? progress.totals.savedVersion,
      durationMs: Date.now() - started,
    });
    if (json) printJson(ctx, result);
    else printResultBody(result, ctx.stdout, ctx.stderr);
    const hint = failureHint(result, progress.totals.lastRunError);
    if (hint) ctx.stderr.write(`${hint}\n`);
    ctx.stderr.write(`${summary}\n`);
    if (!json && result.status === 'completed') ctx.stderr.write(`reuse key: ${result.reuse.key}\n`);
    return result.status === 'completed' && result.outcome === 'success' ? EXIT.ok : EXIT.failed;
  } finally {
    await engine.close({ graceful: false, timeoutMs: 5_000 }).catch(() => undefined);
  }
}
