import { createBundleAdmin } from '../bundles/admin.js';
import type { WebTasksEngine } from '../engine-api.js';
import { createMeteredModel } from '../run/metered-model.js';
import { runCode } from '../run/run-code.js';
import type { WebTasksOptions } from './engine-options.js';
import { assembleEngineParts } from './engine-parts.js';
import { createStart } from './engine-start.js';
import { createTaskMembers } from './engine-tasks.js';
import { createEngineWorker } from './engine-worker.js';

/**
 * Assemble the engine from adapters. Its members live beside this file: `start`
 * (engine-start.ts), the task members (engine-tasks.ts), the worker and `close`
 * (engine-worker.ts); what they share is assembled in engine-parts.ts.
 */
export function createWebTasks(options: WebTasksOptions): WebTasksEngine {
  const parts = assembleEngineParts(options);
  const { ids, deps, webhooks, authSessions, workspaceSecrets } = parts;
  const worker = createEngineWorker(parts);
  // API-only processes run no worker but sweep owed webhooks too, so in a split deployment any
  // surviving process delivers what a dead one owed; claims in the task store keep each to one.
  if (parts.workerSetting === false) webhooks.start();

  const engine: WebTasksEngine = {
    start: createStart(parts, () => engine, worker.isClosed),
    ...createTaskMembers(parts, () => engine),
    startWorker: worker.startWorker,
    close: worker.close,

    authSessions: {
      import: (sessionOptions) => authSessions.import(sessionOptions),
      list: (sessionOptions) => authSessions.list(sessionOptions),
      delete: (sessionOptions) => authSessions.delete(sessionOptions),
    },

    secrets: {
      set: (secretOptions) => workspaceSecrets.set(secretOptions),
      list: (secretOptions) => workspaceSecrets.list(secretOptions),
      delete: (secretOptions) => workspaceSecrets.delete(secretOptions),
    },

    bundles: createBundleAdmin({
      bundles: options.bundles,
      compiler: options.compiler,
      clock: parts.clock,
      openSecrets: (secretOptions) => workspaceSecrets.open(secretOptions),
      verifier: async ({ workspaceId, source, outputSchema, params, signal }) => {
        const model = createMeteredModel({
          model: options.model,
          prices: deps.prices,
          workspaceId,
          ...(options.credits ? { credits: options.credits } : {}),
        });
        const run = await runCode(deps, {
          source,
          outputSchema,
          params,
          workspaceId,
          webTaskId: ids.next('import'),
          model,
          modelName: 'haiku',
          ...(signal ? { signal } : {}),
        });
        if (run.ok) return { ok: true, output: run.output };
        if (run.fatal) throw run.fatal;
        return { ok: false, message: run.evidence.message };
      },
    }),
  };
  return engine;
}
