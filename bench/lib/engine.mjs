// The engine under test, assembled as an embedding product would: filesystem stores, memory
// locks and queue, real Chromium, isolated-vm children, the ts-morph compiler, and a scripted
// model with an empty script (any model call is counted and fails). The same engine is also
// served over HTTP by the server app and driven with the SDK.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './packages.mjs';

export const WORKSPACE = 'ws_bench';
const API_KEY = 'bench-api-key-0123456789';

/**
 * @param {{ fixtureHost: string, allowHosts?: string[], sandboxWorkers?: number }} options
 *   `sandboxWorkers` undefined keeps the sandbox package's default.
 */
export async function createBenchEngine(options) {
  const [core, storeFs, memory, browserPw, sandboxIvm, codegen, testSuite, server, client] =
    await Promise.all([
      load('@webtasks/core'),
      load('@webtasks/store-fs'),
      load('@webtasks/memory'),
      load('@webtasks/browser-playwright'),
      load('@webtasks/sandbox-isolated-vm'),
      load('@webtasks/codegen-ts'),
      load('@webtasks/test-suite'),
      load('@webtasks/server'),
      load('@webtasks/client'),
    ]);
  const directory = mkdtempSync(join(tmpdir(), 'webtasks-bench-'));
  const model = testSuite.createScriptedLanguageModel([]);
  const blobs = storeFs.createFsBlobStore({
    directory,
    baseUrl: 'http://127.0.0.1:9',
    secret: 'bench-secret-0123456789',
  });
  const browser = browserPw.createPlaywrightBrowserProvider({
    egress: { allowHosts: [options.fixtureHost, ...(options.allowHosts ?? [])] },
  });
  const sandbox = sandboxIvm.createIsolatedVmSandbox(
    options.sandboxWorkers === undefined ? {} : { workers: options.sandboxWorkers },
  );
  const engine = core.createWebTasks({
    bundles: storeFs.createFsBundleStore({ directory }),
    tasks: storeFs.createFsTaskStore({ directory }),
    blobs,
    locks: memory.createMemoryLockManager(),
    queue: memory.createMemoryTaskQueue(),
    browser,
    sandbox,
    compiler: codegen.createTsMorphCompiler(),
    model,
    prices: {
      'scripted-model': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
    },
    limits: { maxConcurrentPerWorkspace: 10 },
  });
  const app = await server.createServer({
    engine,
    auth: server.createApiKeyAuth([{ workspaceId: WORKSPACE, keyHash: server.hashApiKey(API_KEY) }]),
    blobs,
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  // Why a saved run failed (the result only says what the repair that followed did).
  const failures = new Map();
  engine.subscribe((event) => {
    if (event.type === 'run-result' && !event.ok) failures.set(event.webTaskId, event.message);
  });
  const sdk = new client.WebTasksClient({ workspaceId: WORKSPACE, apiKey: API_KEY, baseUrl });

  return {
    engine,
    model,
    browser,
    sdk,
    failures,
    /** Save `source` under `reuseKey`, as if the agent had written it. */
    importBundle: (reuseKey, source, outputSchema) =>
      // No verification run: the benchmark measures the runs that follow.
      engine.bundles.import({ workspaceId: WORKSPACE, reuseKey, source, outputSchema, verify: false }),
    /** One task through the embedded engine. */
    runEmbedded: (request) => engine.run({ workspaceId: WORKSPACE, request }),
    /** One task through the server, with the SDK's long-poll. */
    runServer: (request) => sdk.webTasks.run(request, { pollIntervalMs: 50, timeoutMs: 600_000 }),
    async close() {
      await app.close();
      await engine.close({ graceful: true });
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The output of a completed task, or a thrown error saying why it is not a reuse success. */
export function reuseOutput(result, what, failures) {
  if (result.status !== 'completed' || result.outcome !== 'success') {
    const cause = failures?.get(result.webTaskId);
    throw new Error(
      `${what}: the task did not succeed: ${JSON.stringify(result).slice(0, 600)}${cause ? `\nthe saved code failed with: ${cause}` : ''}`,
    );
  }
  if (!result.reuse.used || result.reuse.created || result.reuse.updated) {
    throw new Error(`${what}: the saved code was not reused as is: ${JSON.stringify(result.reuse)}`);
  }
  return result.result.type === 'inline' ? result.result.data : { file: result.result.preview };
}
