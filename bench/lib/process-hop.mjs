// The floor of any design that puts a process boundary between generated code and the
// Playwright client: a bare round trip to another Node process over a socket pair (what the
// isolate child's channel is), and what one such round trip between two Chromium calls does to
// the next Chromium call. Measured in the bench's own run so that figure 5 can be read against
// what this machine charges for a hop, whatever the engine does on either side of it.
import { spawn } from 'node:child_process';
import { median } from './stats.mjs';

const ECHO = `const s = new (require('node:net').Socket)({ fd: 3, readable: true, writable: true });
s.on('data', (chunk) => s.write(chunk)); s.on('close', () => process.exit(0));`;

/** A child process that echoes what it is sent; `ping()` resolves on the echo. */
async function startEchoProcess() {
  const child = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  const channel = child.stdio[3];
  let waiting;
  channel.on('data', () => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.();
  });
  const frame = '{"kind":"page","command":{"target":"page","op":"url","args":[]}}\n';
  const ping = () =>
    new Promise((resolve) => {
      waiting = resolve;
      channel.write(frame);
    });
  await ping();
  return {
    ping,
    close() {
      channel.destroy();
      child.kill('SIGKILL');
    },
  };
}

/**
 * Per sample: µs per bare round trip; µs per `locator.count()` called back to back, and called
 * right after a round trip (only the count timed).
 */
export async function processHopFloor({ baseline, startUrl, calls, rounds }) {
  const echo = await startEchoProcess();
  try {
    return await baseline.withPage(async (page) => {
      await page.goto(startUrl);
      const heading = page.locator('h1');
      const samples = [];
      for (let round = 0; round < rounds; round++) {
        let started = performance.now();
        for (let i = 0; i < calls; i++) await echo.ping();
        const roundTripUs = ((performance.now() - started) * 1000) / calls;
        started = performance.now();
        for (let i = 0; i < calls; i++) await heading.count();
        const countUs = ((performance.now() - started) * 1000) / calls;
        let countMs = 0;
        for (let i = 0; i < calls; i++) {
          await echo.ping();
          const before = performance.now();
          await heading.count();
          countMs += performance.now() - before;
        }
        samples.push({ roundTripUs, countUs, countAfterHopUs: (countMs * 1000) / calls });
      }
      return {
        samples,
        roundTripUs: median(samples.map((s) => s.roundTripUs)),
        countPenaltyUs: median(samples.map((s) => s.countAfterHopUs - s.countUs)),
      };
    });
  } finally {
    echo.close();
  }
}
