#!/usr/bin/env node
/**
 * One webtasks server process for the multiprocess scenarios: the real server (`loadConfig`
 * of the WEBTASKS_* variables, `startServer`, the server's own `assemble` with PostgreSQL,
 * S3, Redis locks and BullMQ), with fakes in place of Chromium, isolates, ts-morph and the
 * model. It imports the BUILT packages (`pnpm exec turbo run build` first; `npm test` does).
 *
 * Test knobs (besides the WEBTASKS_* variables):
 * - MP_EXECUTIONS_FILE: every sandbox run appends `{"event":"start"|"end",…}` lines here.
 * - MP_LOCK_TTL_MS, MP_QUEUE_LOCK_MS, MP_QUEUE_STALLED_MS, MP_QUEUE_RETRY_MS: lease times.
 * - MP_INLINE_BYTES: largest inline result (smaller → results go to S3).
 *
 * Prints `MP_READY <url>` on stdout once it listens; SIGTERM shuts it down gracefully.
 */
import { appendFileSync } from 'node:fs';
import { assemble, loadConfig, startServer } from '@webtasks/server';
import {
  createFakeBrowserProvider,
  createFakeCompiler,
  createFakeSandbox,
  createScriptedLanguageModel,
  toolCall,
} from '@webtasks/test-suite';

export const LIST_URL = 'https://fake.test/list';
const env = process.env;
const number = (name) => (env[name] ? Number(env[name]) : undefined);

/**
 * The code the scripted model writes. With a `runNumber`, the code only works for that run,
 * so every later run on the same key has to repair it and save the next version.
 */
function codeFor(runNumber) {
  const guard =
    runNumber === undefined
      ? ''
      : `  if (ctx.params.runNumber !== ${runNumber}) throw new Error('this code was written for run ${runNumber}');`;
  return [
    "import type { TaskContext } from 'webtasks:runtime';",
    'export default async function run(ctx) {',
    guard,
    '  if (ctx.params.delayMs) await ctx.page.waitForTimeout(ctx.params.delayMs);',
    `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
    "  const names = await ctx.page.locator('.name').allTextContents();",
    '  const rows = [];',
    '  for (let i = 0; i < (ctx.params.copies ?? 1); i += 1)',
    '    for (const name of names) rows.push({ name, runNumber: ctx.params.runNumber ?? null, copy: i });',
    '  return rows;',
    '}',
  ].join('\n');
}

const model = createScriptedLanguageModel((request) => {
  const runs = [...JSON.stringify(request.messages).matchAll(/runNumber\\*"?: *(\d+)/g)];
  const runNumber = runs.length > 0 ? Number(runs.at(-1)[1]) : undefined;
  return { content: [toolCall('submit', { source: codeFor(runNumber) })] };
});

const sandbox = createFakeSandbox();
const executionsFile = env.MP_EXECUTIONS_FILE;
const record = (line) => {
  if (executionsFile) appendFileSync(executionsFile, `${JSON.stringify({ pid: process.pid, ...line })}\n`);
};
const recordingSandbox = {
  specificationVersion: sandbox.specificationVersion,
  capabilities: sandbox.capabilities,
  async run(options) {
    const startedAt = Date.now();
    const id = { key: options.params.key ?? null, runNumber: options.params.runNumber ?? null };
    record({ event: 'start', ...id, at: startedAt });
    const result = await sandbox.run(options);
    record({ event: 'end', ...id, at: Date.now(), startedAt, ok: result.ok });
    return result;
  },
  close: () => sandbox.close(),
};

const config = loadConfig(env);
const queueTimings = {
  ...(number('MP_QUEUE_LOCK_MS') ? { lockDurationMs: number('MP_QUEUE_LOCK_MS') } : {}),
  ...(number('MP_QUEUE_STALLED_MS') ? { stalledIntervalMs: number('MP_QUEUE_STALLED_MS') } : {}),
  ...(number('MP_QUEUE_RETRY_MS') ? { retryDelayMs: number('MP_QUEUE_RETRY_MS') } : {}),
};
const server = await startServer(config, {
  assembleEngine: (configuration, logger) =>
    assemble(configuration, logger, {
      browser: createFakeBrowserProvider({
        site: {
          pages: { [LIST_URL]: { title: 'Companies', elements: { '.name': ['Acme', 'Globex', 'Initech'] } } },
        },
      }),
      sandbox: recordingSandbox,
      compiler: createFakeCompiler(),
      model,
      prices: {
        'scripted-model': {
          inputPerMTok: 1,
          outputPerMTok: 5,
          cacheReadPerMTok: 0.1,
          cacheWritePerMTok: 1.25,
        },
      },
      limits: {
        maxExploreAttempts: 2,
        maxRepairAttempts: 2,
        // The scripted model writes code for exactly one run's parameters, so replaying a
        // candidate with an earlier run's parameters would refuse every repair here; the
        // promotion gate has its own tests (promotion-gate.test.ts).
        replaySamples: 0,
        ...(number('MP_LOCK_TTL_MS') ? { lockTtlMs: number('MP_LOCK_TTL_MS') } : {}),
        ...(number('MP_INLINE_BYTES') ? { inlineResultBytes: number('MP_INLINE_BYTES') } : {}),
      },
      queue: queueTimings,
    }),
});
console.log(`MP_READY ${server.url}`);

let signals = 0;
const stop = (signal) => {
  signals += 1;
  if (signals > 1) process.exit(1);
  server.shutdown(signal).then(
    () => process.exit(0),
    (error) => {
      console.error(`shutdown failed: ${error}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
