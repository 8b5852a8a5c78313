import { usableCompiled } from '@webtasks/core';
import type { WebTaskResult } from '@webtasks/protocol';
import { type CliContext, printJson } from '../context.js';
import { createEmbeddedEngine, loadEmbeddedConfig } from '../embedded.js';
import { EXIT, usageError } from '../exit-codes.js';
import { checkAllowHost, type FlagSpec, parseFlags, parseNumber } from '../flags.js';
import { RUN_HELP } from '../help.js';
import { createProgressPrinter } from '../progress.js';
import { printResultBody, reuseSummary } from '../render-result.js';
import { createStderrLogger } from '../stderr-logger.js';
import { buildStartRequest, TASK_FLAGS } from '../task-request.js';
import { writeLocalResultFiles } from './download-files.js';

const RUN_FLAGS = {
  ...TASK_FLAGS,
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  download: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies FlagSpec;

/** `webtasks run "<task>" …`: the embedded engine, live progress on stderr, the output on stdout. */
export async function runCommand(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args, RUN_FLAGS, 'run', { max: 1 });
  if (flags.boolean('help')) {
    ctx.stdout.write(`${RUN_HELP}\n`);
    return EXIT.ok;
  }
  const request = buildStartRequest(flags, ctx.cwd, 'run', ctx.env);
  const timeoutSeconds = parseNumber(flags.string('timeout'), '--timeout');
  const allowHosts = flags.list('allow-host').map((host) => checkAllowHost(host, 'run'));
  const workspaceId = flags.string('workspace') ?? 'local';
  const json = flags.boolean('json');
  // The flags stand for variables of the one configuration (docs/configuration.md).
  const config = await loadEmbeddedConfig({
    env: ctx.env,
    cwd: ctx.cwd,
    flags: { dataDir: flags.string('data-dir'), allowHosts, timeoutSeconds },
    stderr: ctx.stderr,
  });
  const { dataDir } = config;
  const logger = flags.boolean('verbose') ? createStderrLogger(ctx.stderr) : undefined;
  const embedded = await createEmbeddedEngine({ config, ...(logger ? { logger } : {}) });
  const { engine, compiler } = embedded;
  // Checked before anything runs: without a model only saved code can run.
  const saved = request.reuseKey
    ? await engine.bundles.get({ workspaceId, reuseKey: request.reuseKey })
    : undefined;
  if (!embedded.hasModel && !saved) {
    await embedded.close();
    throw usageError(
      request.reuseKey
        ? `No model is configured and reuse key "${request.reuseKey}" has no saved code in ${dataDir} (workspace "${workspaceId}"). Set ANTHROPIC_API_KEY so the agent can write the code, or import a bundle with \`webtasks bundles import\`.`
        : 'No model is configured, so there is nothing to run: set ANTHROPIC_API_KEY so the agent can explore the site and write the code (or pass --reuse-key of saved code).',
    );
  }
  // The first compile loads ts-morph (a second or more): start it now, while Chromium launches,
  // unless the saved code has JavaScript stored for this compiler and will run without it.
  if (!saved || usableCompiled(saved.compiled, saved.source, compiler) === undefined) {
    void compiler.warmUp().catch(() => undefined);
  }
  try {
    ctx.stderr.write(
      `webtasks run — data dir ${dataDir}, workspace ${workspaceId}, model ${embedded.modelDescription}\n`,
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
    ctx.stderr.write(`${summary}\n`);
    // Where the request differed from the saved code (another task text, another schema).
    for (const note of result.reuse.notes ?? []) ctx.stderr.write(`warning: ${note}\n`);
    if (!json && result.status === 'completed') ctx.stderr.write(`reuse key: ${result.reuse.key}\n`);
    const downloadDir = flags.string('download');
    if (downloadDir !== undefined)
      await writeLocalResultFiles(embedded.blobs, workspaceId, result, downloadDir, ctx);
    return result.status === 'completed' && result.outcome === 'success' ? EXIT.ok : EXIT.failed;
  } finally {
    await embedded.close();
  }
}
