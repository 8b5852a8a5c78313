import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeChildFrame, encodeParentMessage } from './frames.js';

const CHILD_ENTRY = fileURLToPath(new URL('./isolate-child.js', import.meta.url));

describe('isolate child process', () => {
  it('says it is ready over its channel, and exits once the channel closes mid-run (its parent went away)', async () => {
    const child = spawn(process.execPath, ['--no-node-snapshot', CHILD_ENTRY], {
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const channel = child.stdio[3] as Socket;
      channel.setEncoding('utf8');
      const firstFrame = new Promise<string>((resolve) => {
        let text = '';
        channel.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
        });
      });
      // A runtime whose runs never end: the child's watchdog keeps its event loop alive.
      channel.write(
        encodeParentMessage({ type: 'init', prelude: 'globalThis.__wt_run = () => new Promise(() => {});' }),
      );
      expect(decodeChildFrame(await firstFrame)).toEqual({ type: 'ready' });
      channel.write(
        encodeParentMessage({
          type: 'run',
          runId: 1,
          code: 'exports.default = async () => 1;',
          paramsJson: '{}',
          limits: {
            memoryMb: 32,
            maxConcurrentCalls: 4,
            cpuTimeoutMs: 60_000,
            maxOutputBytes: 1000,
            maxLogEntries: 10,
          },
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(child.exitCode).toBeNull();

      // What the kernel does to the parent's end when the parent dies, however it dies.
      channel.destroy();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const exit = await exited;
      clearTimeout(timer);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
    }
  }, 20_000);
});
