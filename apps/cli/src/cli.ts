import { spawn } from 'node:child_process';

/**
 * The `webtasks` binary. isolated-vm needs Node's `--no-node-snapshot`: when this process was
 * started without it, run the same script again in a child with the flag and mirror its exit.
 * Nothing else is imported before that decision, so the parent stays light.
 */
const NO_SNAPSHOT = '--no-node-snapshot';

function hasNoSnapshotFlag(): boolean {
  return (
    process.execArgv.includes(NO_SNAPSHOT) ||
    (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(NO_SNAPSHOT)
  );
}

function reexec(): void {
  const script = process.argv[1] as string;
  const child = spawn(
    process.execPath,
    [NO_SNAPSHOT, ...process.execArgv, script, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  // Signals are forwarded. Ctrl-C in a terminal reaches the child twice (from the terminal and
  // from here): the child counts SIGINTs that arrive within a moment of each other as one.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`webtasks: could not start Node with ${NO_SNAPSHOT}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + signalNumber(signal) : 1);
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : signal === 'SIGHUP' ? 1 : 9;
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  let lastInterrupt = 0;
  process.on('SIGINT', () => {
    if (Date.now() - lastInterrupt < 500) return;
    lastInterrupt = Date.now();
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping… (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('interrupted'));
  });
  process.on('SIGTERM', () => controller.abort(new Error('terminated')));
  const { runCli } = await import('./main.js');
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
    signal: controller.signal,
  });
  // Flush stdout before exiting (pipes are asynchronous); lingering handles must not keep us alive.
  process.stdout.write('', () => process.exit(code));
}

if (hasNoSnapshotFlag()) void main();
else reexec();
