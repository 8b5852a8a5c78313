/**
 * The `webtasks` binary. isolated-vm needs Node's `--no-node-snapshot` only in the processes
 * that create isolates, and the sandbox forks those children with the flag itself: this
 * process runs as started (`node cli.js`), with no re-exec.
 */
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

void main();
