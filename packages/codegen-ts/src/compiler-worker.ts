// The compiler's own thread: `createTsMorphCompiler` starts this module in a worker thread so
// a type-check (a second or more cold, tens of milliseconds warm) never blocks the event loop
// that serves HTTP, the sandbox bridge and the browser. One message in, one reply out.
import { parentPort, workerData } from 'node:worker_threads';
import { WebTasksError } from '@webtasks/core';
import type { CompileSettings } from './compile-bundle.js';
import { createLocalCompile } from './local-compile.js';
import type { CompilerReply, CompilerRequest, CompilerWorkerData } from './thread-messages.js';

const data = workerData as CompilerWorkerData;
const settings: CompileSettings = { ...data.settings, allowedGlobals: new Set(data.settings.allowedGlobals) };
const local = createLocalCompile(settings, data.runtimeDeclarations);
const port = parentPort;

port?.on('message', async (request: CompilerRequest) => {
  let reply: CompilerReply;
  try {
    if (request.type === 'compile') {
      reply = { id: request.id, result: await local.compile(request.source) };
    } else {
      await local.warmUp();
      reply = { id: request.id };
    }
  } catch (error) {
    const known = WebTasksError.isInstance(error) ? error : undefined;
    reply = {
      id: request.id,
      error: {
        code: known?.code ?? 'internal-error',
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
  port.postMessage(reply);
});
