// Child processes for the set-up steps: output streams through (and can be kept), and a
// program that is not installed is reported as such — never as "exit null".
import { spawn, spawnSync } from 'node:child_process';

/** A set-up step that cannot be done: `message` is the one line that says what to do. */
export class SetupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

/** How a finished child ended, in words: "exit 1", "killed by SIGTERM", "not installed". */
export function describeExit(result) {
  if (result.error?.code === 'ENOENT') return 'not installed (not found on PATH)';
  if (result.error) return result.error.message;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit ${result.status}`;
}

/** Run a command quietly and return its trimmed stdout, or undefined when it failed or is missing. */
export function capture(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

/** Whether `command` is on PATH (a shell lookup, as a user's shell would do it). */
export function onPath(command, env = process.env) {
  return capture('sh', ['-c', `command -v ${command}`], { env }) !== undefined;
}

/**
 * Run a command with its output streamed to ours (prefixed when `prefix` is given, so a long
 * install reads as part of its step) and collected for diagnosis. Resolves `{ status, signal,
 * error, output }`; never rejects.
 */
export function stream(command, args, { cwd, env, prefix = '', quiet = false } = {}) {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ status: null, signal: null, error, output });
      return;
    }
    let pending = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (quiet) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => resolve({ status: null, signal: null, error, output }));
    child.on('close', (status, signal) => {
      if (pending && !quiet) process.stdout.write(`${prefix}${pending}\n`);
      resolve({ status, signal, error: undefined, output });
    });
  });
}
