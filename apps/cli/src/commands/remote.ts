import {
  type WebTaskResult,
  WebTasksApiError,
  type WebTasksClient,
  WebTasksConnectionError,
  WebTasksTimeoutError,
} from '@webtasks/client';
import { type CliContext, printJson } from '../context.js';
import { CliError, EXIT, type ExitCode, usageError } from '../exit-codes.js';
import { type FlagSpec, type ParsedFlags, parseFlags, parseNumber } from '../flags.js';
import { RESULT_HELP, START_HELP } from '../help.js';
import { printResultBody } from '../render-result.js';
import { buildStartRequest, TASK_FLAGS } from '../task-request.js';
import { downloadResultFiles } from './download-files.js';
import { createServerClient } from './server-client.js';

const SERVER_FLAGS = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  workspace: { type: 'string' },
} as const satisfies FlagSpec;

function clientFor(flags: ParsedFlags, ctx: CliContext, command: string): WebTasksClient {
  return createServerClient(flags, ctx, command);
}

/** Turn client errors into CLI errors with the documented exit codes. */
export function clientFailure(error: unknown): CliError | undefined {
  if (WebTasksApiError.isInstance(error)) {
    const exitCode: ExitCode =
      error.code === 'not-found'
        ? EXIT.notFound
        : error.code === 'invalid-request'
          ? EXIT.usage
          : EXIT.network;
    const request = error.requestId ? ` (request ${error.requestId})` : '';
    return new CliError(
      `The server answered ${error.status} ${error.code}: ${error.message}${request}`,
      exitCode,
    );
  }
  if (WebTasksConnectionError.isInstance(error)) {
    return new CliError(
      `${error.message} Is the server running? Check --base-url / WEBTASKS_BASE_URL.`,
      EXIT.network,
    );
  }
  if (WebTasksTimeoutError.isInstance(error)) return new CliError(error.message, EXIT.network);
  return undefined;
}

async function withClientErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw clientFailure(error) ?? error;
  }
}

function exitFor(result: WebTaskResult): number {
  return result.status === 'completed' && result.outcome === 'failed' ? EXIT.failed : EXIT.ok;
}

function printResult(ctx: CliContext, result: WebTaskResult, json: boolean): void {
  if (json) {
    printJson(ctx, result);
    return;
  }
  printResultBody(result, ctx.stdout, ctx.stderr);
  if (result.status === 'completed') {
    const reuse = result.reuse;
    const how =
      reuse.used && !reuse.updated
        ? 'reused saved code'
        : reuse.created
          ? 'created'
          : reuse.updated
            ? 'updated'
            : 'not saved';
    ctx.stderr.write(
      `${result.webTaskId} ${result.outcome} — reuse key ${reuse.key} (${how}), $${result.cost.aiUsd.toFixed(4)}\n`,
    );
  }
}

/** `webtasks start "<task>" …` against a server. */
export async function startCommand(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args, { ...TASK_FLAGS, ...SERVER_FLAGS, wait: { type: 'string' } }, 'start', {
    max: 1,
  });
  if (flags.boolean('help')) {
    ctx.stdout.write(`${START_HELP}\n`);
    return EXIT.ok;
  }
  const request = buildStartRequest(flags, ctx.cwd, 'start', ctx.env);
  const waitSeconds = parseNumber(flags.string('wait'), '--wait');
  const client = clientFor(flags, ctx, 'start');
  const json = flags.boolean('json');
  const started = await withClientErrors(() => client.webTasks.start(request, { signal: ctx.signal }));
  if (waitSeconds === undefined) {
    if (json) printJson(ctx, started);
    else {
      ctx.stdout.write(`${started.webTaskId}\n`);
      ctx.stderr.write(
        `started ${started.webTaskId} (reuse key ${started.reuseKey}); read it with: webtasks result ${started.webTaskId} --wait 60\n`,
      );
    }
    return EXIT.ok;
  }
  if (!json) ctx.stderr.write(`started ${started.webTaskId} (reuse key ${started.reuseKey}), waiting…\n`);
  const result = await withClientErrors(() =>
    waitForResult(client, started.webTaskId, waitSeconds, ctx.signal),
  );
  printResult(ctx, result, json);
  return exitFor(result);
}

/** Long-poll in slices the server accepts, until completion or the deadline. */
async function waitForResult(
  client: WebTasksClient,
  webTaskId: string,
  waitSeconds: number,
  signal: AbortSignal,
): Promise<WebTaskResult> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const remaining = Math.ceil((deadline - Date.now()) / 1000);
    const result = await client.webTasks.result(webTaskId, {
      ...(remaining > 0 ? { waitSeconds: Math.min(remaining, 60) } : {}),
      signal,
    });
    if (result.status === 'completed' || Date.now() >= deadline || signal.aborted) return result;
  }
}

/** `webtasks result <id> [--wait SECONDS] [--download DIR]` against a server. */
export async function resultCommand(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(
    args,
    { ...SERVER_FLAGS, wait: { type: 'string' }, download: { type: 'string' } },
    'result',
    { max: 1 },
  );
  if (flags.boolean('help')) {
    ctx.stdout.write(`${RESULT_HELP}\n`);
    return EXIT.ok;
  }
  const webTaskId = flags.positionals[0];
  if (!webTaskId) throw usageError('Missing the web task id: webtasks result wt_… [--wait 60]', 'result');
  const waitSeconds = parseNumber(flags.string('wait'), '--wait', { allowZero: true });
  const client = clientFor(flags, ctx, 'result');
  const result = await withClientErrors(() =>
    waitSeconds
      ? waitForResult(client, webTaskId, waitSeconds, ctx.signal)
      : client.webTasks.result(webTaskId, { signal: ctx.signal }),
  );
  printResult(ctx, result, flags.boolean('json'));
  const downloadDir = flags.string('download');
  if (downloadDir !== undefined && result.status === 'completed' && result.outcome === 'success') {
    await withClientErrors(() => downloadResultFiles(client, result, downloadDir, ctx));
  }
  return exitFor(result);
}
