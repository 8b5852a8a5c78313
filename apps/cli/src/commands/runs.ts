import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunRecord, TaskList, TaskListQuery, WebTaskResult } from '@webtasks/protocol';
import { type CliContext, printJson } from '../context.js';
import { resolveDataDir } from '../embedded.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { type FlagSpec, type ParsedFlags, parseFlags } from '../flags.js';
import { RUNS_HELP } from '../help.js';
import { createServerClient } from './server-client.js';

/** Where runs are read: the local data dir, or a server (`--base-url`). */
interface RunsSource {
  where: string;
  list(query: TaskListQuery): Promise<TaskList>;
  record(webTaskId: string): Promise<RunRecord>;
  cancel(webTaskId: string): Promise<WebTaskResult>;
  /** The bytes of one of the run's artifacts. */
  artifact(record: RunRecord, key: string): Promise<Uint8Array>;
}

const COMMON_FLAGS = {
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
} as const satisfies FlagSpec;

type Subcommand = (source: RunsSource, flags: ParsedFlags, ctx: CliContext) => Promise<number>;

const SUBCOMMANDS: Record<string, { flags: FlagSpec; positionals: number; run: Subcommand }> = {
  list: {
    flags: {
      status: { type: 'string' },
      'reuse-key': { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    },
    positionals: 0,
    run: list,
  },
  show: { flags: {}, positionals: 1, run: show },
  logs: { flags: {}, positionals: 1, run: logs },
  trace: { flags: { out: { type: 'string' } }, positionals: 1, run: trace },
  cancel: { flags: {}, positionals: 1, run: cancel },
};

async function localSource(flags: ParsedFlags, ctx: CliContext): Promise<RunsSource> {
  const directory = resolveDataDir(flags.string('data-dir'), ctx.env, ctx.cwd);
  const workspaceId = flags.string('workspace') ?? 'local';
  const { createFsBlobStore, createFsTaskStore } = await import('@webtasks/store-fs');
  const { cancelTask, listTasks, systemClock, toWebTaskResult, WebTasksError } = await import(
    '@webtasks/core'
  );
  const tasks = createFsTaskStore({ directory });
  // Only read here: the signing secret is never used.
  const blobs = createFsBlobStore({ directory, baseUrl: 'http://localhost', secret: 'read-only-0123456789' });
  const notFound = (webTaskId: string) =>
    new WebTasksError({
      code: 'not-found',
      message: `No web task ${webTaskId} in workspace "${workspaceId}" of ${directory}.`,
    });
  return {
    where: `workspace "${workspaceId}" of ${directory}`,
    list: (query) => listTasks(tasks, { workspaceId, query }),
    async record(webTaskId) {
      const task = await tasks.get({ workspaceId, webTaskId });
      if (!task) throw notFound(webTaskId);
      const run = await tasks.getRun({ workspaceId, webTaskId });
      if (!run)
        throw new CliError(
          `Web task ${webTaskId} has no run record yet (status ${task.status}).`,
          EXIT.notFound,
        );
      return run;
    },
    cancel: async (webTaskId) =>
      toWebTaskResult(await cancelTask({ tasks, clock: systemClock }, { workspaceId, webTaskId })),
    async artifact(_record, key) {
      const blob = await blobs.get({ key });
      if (!blob)
        throw new CliError(`The artifact ${key} is gone from ${directory} (expired?).`, EXIT.notFound);
      return blob.body;
    },
  };
}

function remoteSource(flags: ParsedFlags, ctx: CliContext): RunsSource {
  const client = createServerClient(flags, ctx, 'runs');
  return {
    where: flags.string('base-url') ?? ctx.env.WEBTASKS_BASE_URL ?? 'the server',
    list: (query) => client.webTasks.list(query, { signal: ctx.signal }),
    record: (webTaskId) => client.webTasks.record(webTaskId, { signal: ctx.signal }),
    cancel: (webTaskId) => client.webTasks.cancel(webTaskId, { signal: ctx.signal }),
    async artifact(record, key) {
      const url = record.artifacts.find((artifact) => artifact.key === key)?.url;
      if (!url) throw new CliError(`The server gave no URL for artifact ${key}.`, EXIT.network);
      const response = await fetch(url, { signal: ctx.signal });
      if (!response.ok)
        throw new CliError(`Downloading ${key} failed with HTTP ${response.status}.`, EXIT.network);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** `webtasks runs <subcommand> …` on the local data dir, or on a server with `--base-url`. */
export async function runsCommand(args: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(`${RUNS_HELP}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    throw usageError(
      `Unknown runs subcommand "${name}"; use one of ${Object.keys(SUBCOMMANDS).join(', ')}.`,
      'runs',
    );
  }
  const flags = parseFlags(rest, { ...COMMON_FLAGS, ...subcommand.flags }, 'runs', {
    max: subcommand.positionals,
  });
  if (flags.boolean('help')) {
    ctx.stdout.write(`${RUNS_HELP}\n`);
    return EXIT.ok;
  }
  if (subcommand.positionals > 0 && !flags.positionals[0])
    throw usageError(`Missing the web task id: webtasks runs ${name} wt_…`, 'runs');
  const source = flags.string('base-url') ? remoteSource(flags, ctx) : await localSource(flags, ctx);
  try {
    return await subcommand.run(source, flags, ctx);
  } catch (error) {
    const { clientFailure } = await import('./remote.js');
    const { WebTasksError } = await import('@webtasks/core');
    if (WebTasksError.hasCode(error, 'not-found')) throw new CliError(error.message, EXIT.notFound);
    if (WebTasksError.hasCode(error, 'invalid-request')) throw new CliError(error.message, EXIT.usage);
    if (WebTasksError.hasCode(error, 'conflict')) throw new CliError(error.message, EXIT.failed);
    throw clientFailure(error) ?? error;
  }
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

async function list(source: RunsSource, flags: ParsedFlags, ctx: CliContext): Promise<number> {
  const query: Record<string, string> = {};
  for (const [flag, field] of [
    ['status', 'status'],
    ['reuse-key', 'reuseKey'],
    ['since', 'since'],
    ['limit', 'limit'],
    ['cursor', 'cursor'],
  ] as const) {
    const value = flags.string(flag);
    if (value !== undefined) query[field] = value;
  }
  const page = await source.list(query as TaskListQuery);
  if (flags.boolean('json')) {
    printJson(ctx, page);
    return EXIT.ok;
  }
  if (page.tasks.length === 0) ctx.stderr.write(`No runs in ${source.where}.\n`);
  else {
    const rows = [
      ['WEB TASK', 'STATUS', 'REUSE KEY', 'CREATED', 'COST', 'TASK'],
      ...page.tasks.map((task) => [
        task.webTaskId,
        task.status === 'completed'
          ? task.error
            ? `failed:${task.error.code}`
            : (task.outcome ?? '')
          : task.status,
        task.reuseKey,
        task.createdAt,
        task.cost ? `$${task.cost.aiUsd.toFixed(4)}` : '-',
        task.task.replace(/\s+/g, ' ').slice(0, 50),
      ]),
    ];
    ctx.stdout.write(table(rows));
  }
  if (page.nextCursor) ctx.stderr.write(`more: webtasks runs list --cursor ${page.nextCursor}\n`);
  return EXIT.ok;
}

async function show(source: RunsSource, flags: ParsedFlags, ctx: CliContext): Promise<number> {
  const record = await source.record(flags.positionals[0] as string);
  if (flags.boolean('json')) {
    printJson(ctx, record);
    return EXIT.ok;
  }
  const out: string[] = [`${record.webTaskId}${record.finished ? '' : ' (still running)'}`];
  if (record.bundleVersion !== undefined)
    out.push(
      `version that ran: v${record.bundleVersion}${record.savedVersion ? `, saved v${record.savedVersion}` : ''}`,
    );
  out.push('', 'phases:', ...record.phases.map((phase) => `  ${phase.at}  ${phase.label}`));
  if (record.attempts.length > 0) {
    out.push('', 'attempts:');
    for (const attempt of record.attempts) {
      const what =
        attempt.kind === 'saved'
          ? `saved v${attempt.bundleVersion ?? '?'}`
          : `${attempt.mode ?? 'candidate'} ${attempt.attempt ?? ''}/${attempt.of ?? ''}`;
      out.push(
        `  ${attempt.at}  ${what}: ${attempt.ok ? 'valid' : `${attempt.error?.kind}: ${attempt.error?.message.split('\n')[0]}`}`,
      );
      if (attempt.evidence?.pageUrl) out.push(`      page ${attempt.evidence.pageUrl}`);
    }
  }
  if (record.modelCalls.length > 0) {
    const usd = record.modelCalls.reduce((sum, call) => sum + call.usd, 0);
    const tokens = record.modelCalls.reduce((sum, call) => sum + call.inputTokens + call.outputTokens, 0);
    out.push('', `model calls: ${record.modelCalls.length}, ${tokens} tokens in+out, $${usd.toFixed(4)}`);
  }
  if (record.agentSteps.length > 0)
    out.push(`agent steps: ${record.agentSteps.map((step) => step.tool).join(', ')}`);
  if (record.output)
    out.push(
      `output: ${record.output.type}${record.output.rowCount !== undefined ? `, ${record.output.rowCount} rows` : ''}, ${record.output.sizeBytes} bytes`,
    );
  out.push(
    `logs: ${record.logs.lines.length} lines${record.logs.truncated ? ` (${record.logs.droppedLines} earlier lines cut)` : ''} — webtasks runs logs ${record.webTaskId}`,
  );
  for (const artifact of record.artifacts)
    out.push(`artifact: ${artifact.kind} ${artifact.key} (${artifact.sizeBytes} bytes)`);
  ctx.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}

async function logs(source: RunsSource, flags: ParsedFlags, ctx: CliContext): Promise<number> {
  const record = await source.record(flags.positionals[0] as string);
  if (flags.boolean('json')) {
    printJson(ctx, record.logs);
    return EXIT.ok;
  }
  if (record.logs.truncated)
    ctx.stderr.write(`(${record.logs.droppedLines} earlier lines were cut to keep the record small)\n`);
  for (const line of record.logs.lines) ctx.stdout.write(`${line.at} [${line.level}] ${line.message}\n`);
  return EXIT.ok;
}

async function trace(source: RunsSource, flags: ParsedFlags, ctx: CliContext): Promise<number> {
  const record = await source.record(flags.positionals[0] as string);
  const traces = record.artifacts.filter((artifact) => artifact.kind === 'trace');
  const last = traces[traces.length - 1];
  if (!last) {
    throw new CliError(
      `Web task ${record.webTaskId} has no Playwright trace: start it with "debug": {"trace": true} (or --trace on webtasks run) to keep one.`,
      EXIT.notFound,
    );
  }
  const target = path.resolve(ctx.cwd, flags.string('out') ?? `${record.webTaskId}-trace.zip`);
  writeFileSync(target, await source.artifact(record, last.key));
  if (flags.boolean('json'))
    printJson(ctx, { file: target, sizeBytes: last.sizeBytes, traces: traces.length });
  else ctx.stderr.write(`wrote ${target}; open it with: npx playwright show-trace ${target}\n`);
  return EXIT.ok;
}

async function cancel(source: RunsSource, flags: ParsedFlags, ctx: CliContext): Promise<number> {
  const result = await source.cancel(flags.positionals[0] as string);
  if (flags.boolean('json')) printJson(ctx, result);
  else ctx.stderr.write(`${result.webTaskId} canceled; nothing was saved.\n`);
  return EXIT.ok;
}
