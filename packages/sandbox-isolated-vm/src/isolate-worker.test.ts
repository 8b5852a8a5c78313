import { fileURLToPath } from 'node:url';
import { type Logger, silentLogger } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { IsolateWorker, type WorkerExit } from './isolate-worker.js';

const ROGUE = fileURLToPath(new URL('./__fixtures__/rogue/rogue-child.js', import.meta.url));

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    ...silentLogger,
    warnings,
    warn: (message) => {
      warnings.push(message);
    },
  };
}

/** A worker on the rogue child, which does what `mode` names once it is sent the prelude. */
function startRogue(
  mode: 'garbage' | 'flood',
  logger: Logger,
  minFrameChars?: number,
): Promise<IsolateWorker> {
  return IsolateWorker.start({
    prelude: mode,
    logger,
    startTimeoutMs: 10_000,
    entry: ROGUE,
    ...(minFrameChars === undefined ? {} : { minFrameChars }),
  });
}

describe('IsolateWorker with a child that does not follow the protocol', () => {
  it('drops malformed frames and goes on reading the good ones', async () => {
    const logger = recordingLogger();
    const worker = await startRogue('garbage', logger);
    try {
      expect(worker.alive).toBe(true);
      // Seven made-up frames before the `ready` that let start() resolve.
      expect(logger.warnings.filter((w) => w.includes('dropped a malformed message'))).toHaveLength(7);
    } finally {
      worker.kill();
    }
  });

  it('kills a child whose frame grows past the limit instead of buffering it', async () => {
    const logger = recordingLogger();
    const worker = await startRogue('flood', logger, 1024 * 1024);
    worker.maxFrameChars = 0; // a run cannot lower the limit under its floor
    const exit = await new Promise<WorkerExit>((resolve) => worker.whenExit(resolve));
    expect(exit.signal).toBe('SIGKILL');
    expect(worker.alive).toBe(false);
    expect(logger.warnings).toContain('an isolate process sent a frame over the size limit; killing it');
  }, 20_000);
});
