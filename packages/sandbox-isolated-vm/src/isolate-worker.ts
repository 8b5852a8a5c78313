import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@webtasks/core';
import { type ChildMessage, type ParentMessage, parseChildMessage } from './child-messages.js';
import { decodeChildFrame, encodeParentMessage, LineReader } from './frames.js';

/**
 * The child's entry. This file sits in `src/` beside `isolate-child.js` and is bundled into
 * `dist/index.js`, while tsup emits `dist/isolate-child.js`: the relative URL holds in both.
 */
const CHILD_ENTRY = fileURLToPath(new URL('./isolate-child.js', import.meta.url));
const STDERR_KEEP = 4000;
/**
 * The longest frame a child may send before it is killed: a run's output is capped in the child
 * (32 MiB by default, escaped once into its frame), so only a child no longer running this code
 * sends more. `runOnWorker` raises it for a run with a larger output limit.
 */
const DEFAULT_MAX_FRAME_CHARS = 256 * 1024 * 1024;

/** Options of one supervised child. */
export interface IsolateWorkerOptions {
  prelude: string;
  logger: Logger;
  /** How long the child may take to load isolated-vm and say it is ready. */
  startTimeoutMs: number;
  /** The child's entry script (tests start rogue children). Default: `isolate-child.js`. */
  entry?: string;
  /** The least frame length a run may raise the limit to. Default `DEFAULT_MAX_FRAME_CHARS`. */
  minFrameChars?: number;
}

/** Why a child went away. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the child wrote to stderr (V8's fatal error report, usually). */
  stderr: string;
}

/**
 * One child process hosting isolates, with its channel: a socket pair on the child's fd 3
 * carrying one frame per line (`frames.js`). Not Node's IPC channel, which wraps a reply's JSON
 * in a second JSON message: a host call and its reply cross this channel on every bridged page
 * call, and a reply of a page's HTML takes half the time as a plain frame.
 */
export class IsolateWorker {
  /** Called for every well-formed message; malformed ones are dropped. */
  onMessage: (message: ChildMessage) => void = () => {};
  private readonly exitListeners = new Set<(exit: WorkerExit) => void>();
  private readonly reader: LineReader;
  private exited = false;
  private dying = false;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: Socket,
    private readonly logger: Logger,
    private readonly minFrameChars: number,
  ) {
    this.reader = new LineReader(
      (line) => this.receive(line),
      () => {
        this.logger.warn('an isolate process sent a frame over the size limit; killing it', {
          pid: this.pid,
          maxChars: this.reader.maxChars,
        });
        this.kill();
      },
      minFrameChars,
    );
  }

  /** Spawn a child, send it the prelude and wait until it is ready. */
  static start(options: IsolateWorkerOptions): Promise<IsolateWorker> {
    const child = spawn(process.execPath, ['--no-node-snapshot', options.entry ?? CHILD_ENTRY], {
      // Nothing of the parent's environment (secrets) is needed by the child.
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const worker = new IsolateWorker(
      child,
      child.stdio[3] as Socket,
      options.logger,
      options.minFrameChars ?? DEFAULT_MAX_FRAME_CHARS,
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.kill();
        reject(
          new Error(
            `[webtasks:sandbox-isolated-vm] The isolate process did not start within ${options.startTimeoutMs} ms.`,
          ),
        );
      }, options.startTimeoutMs);
      const stopListening = worker.whenExit((exit) => {
        clearTimeout(timer);
        reject(
          new Error(
            `[webtasks:sandbox-isolated-vm] The isolate process exited while starting (code ${exit.code}, signal ${exit.signal}). Check that isolated-vm is built for this Node version. ${exit.stderr}`,
          ),
        );
      });
      worker.onMessage = (message) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        stopListening();
        worker.onMessage = () => {};
        worker.keepAlive(false);
        resolve(worker);
      };
      worker.attach();
      worker.send({ type: 'init', prelude: options.prelude });
    });
  }

  /** Process id, for logs. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the child has exited (or is being killed). */
  get alive(): boolean {
    return !this.exited && !this.dying;
  }

  /** The longest frame accepted from the child (characters); a longer one kills it. */
  set maxFrameChars(chars: number) {
    this.reader.maxChars = Math.max(this.minFrameChars, chars);
  }

  /** Send a message; false when the channel is gone (the exit handler reports that). */
  send(message: ParentMessage): boolean {
    if (this.exited || this.dying || this.channel.destroyed || !this.channel.writable) return false;
    this.channel.write(encodeParentMessage(message));
    return true;
  }

  /** Call `listener` once when the child exits or its channel breaks; returns an unsubscribe. */
  whenExit(listener: (exit: WorkerExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Whether this child keeps the parent's event loop alive. Idle children do not, so a program
   * that forgets `sandbox.close()` can still exit; a child with a run in progress does.
   */
  keepAlive(busy: boolean): void {
    const handles = [this.child, this.channel, this.child.stderr] as Array<
      { ref?(): void; unref?(): void } | null | undefined
    >;
    for (const handle of handles) {
      if (busy) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Kill the child at once (SIGKILL). */
  kill(): void {
    this.dying = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private receive(frame: string): void {
    const message = parseChildMessage(decodeChildFrame(frame));
    if (!message) {
      this.logger.warn('dropped a malformed message from an isolate process', { pid: this.pid });
      return;
    }
    this.onMessage(message);
  }

  private attach(): void {
    this.channel.setEncoding('utf8');
    this.channel.on('data', (chunk: string) => this.reader.push(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    this.child.on('error', (error) => {
      this.logger.warn('isolate process error', { pid: this.pid, error: String(error) });
      this.kill();
    });
    // A broken channel makes the child useless: make sure it is gone, then report the exit.
    this.channel.on('error', () => this.kill());
    this.channel.on('close', () => this.kill());
    this.child.on('exit', (code, signal) => {
      if (this.exited) return;
      this.exited = true;
      const exit = { code, signal, stderr: this.stderrTail.trim() };
      for (const listener of [...this.exitListeners]) listener(exit);
      this.exitListeners.clear();
    });
  }
}
