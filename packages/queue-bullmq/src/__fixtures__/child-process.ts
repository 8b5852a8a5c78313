import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundle `consumer-process.ts` with the workspace sources into one ESM file a plain `node`
 * can run. bullmq and ioredis stay external (bullmq loads its Lua scripts from its own
 * folder), so the file is written inside this package, where node resolves them.
 */
export async function bundleConsumerProcess(): Promise<string> {
  const directory = path.join(packageDir, 'node_modules', '.cache', 'webtasks-tests');
  await mkdir(directory, { recursive: true });
  const outfile = path.join(directory, `consumer-process-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL('./consumer-process.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@webtasks/source'],
    external: ['bullmq', 'ioredis'],
    logLevel: 'silent',
  });
  return outfile;
}

/** A child `node` process whose stdout lines can be awaited. */
export interface ChildHandle {
  child: ChildProcess;
  lines: string[];
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/** Spawn `node script ...args`. */
export function spawnNode(script: string, args: string[]): ChildHandle {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    child,
    lines,
    async waitForLine(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((candidate) => pattern.test(candidate));
        if (line) return line;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(
            `no line matching ${pattern} from the child (exit ${child.exitCode}); stderr: ${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
