import { expect } from 'vitest';
import { expectFailure, expectOutput, task } from './behaviour-tests.js';
import { createRecordingSandboxHost, neverResolve } from './recording-host.js';
import type { SandboxTestRegistrar } from './registrar.js';

/** Time, memory, output, call and log limits, aborts, and recovery after failures. */
export function registerLimitTests(test: SandboxTestRegistrar): void {
  test('a CPU loop ends as timeout', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const started = Date.now();
    const result = await sandbox.run({
      code: task('while (true) {}'),
      params: {},
      host,
      limits: { cpuTimeoutMs: 200, wallTimeoutMs: 20_000 },
    });
    expectFailure(result, 'timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a CPU loop after a host call ends as timeout', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const result = await sandbox.run({
      code: task(`await ctx.page.title(); let i = 0; while (true) { i += 1; }`),
      params: {},
      host,
      limits: { cpuTimeoutMs: 200, wallTimeoutMs: 20_000 },
    });
    expectFailure(result, 'timeout');
  });

  test('a host call that never resolves ends as timeout on the wall clock', async (sandbox) => {
    const host = createRecordingSandboxHost(neverResolve);
    const started = Date.now();
    const result = await sandbox.run({
      code: task(`await ctx.page.waitForSelector('#never');`),
      params: {},
      host,
      limits: { wallTimeoutMs: 300 },
    });
    expectFailure(result, 'timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    // When the sandbox passes a signal to the host, the end of the run fires it.
    for (const signal of host.signals) if (signal) expect(signal.aborted).toBe(true);
  });

  test('a memory bomb ends as memory or crashed', async (sandbox, context) => {
    if (!sandbox.capabilities.isolation) context.skip('the sandbox does not isolate (no memory limit)');
    const host = createRecordingSandboxHost();
    const result = await sandbox.run({
      code: task(
        `const chunks = []; while (true) chunks.push(new Array(100000).fill('x'.repeat(10) + chunks.length));`,
      ),
      params: {},
      host,
      limits: { memoryMb: 32, wallTimeoutMs: 25_000 },
    });
    expectFailure(result, 'memory', 'crashed');
  });

  test('an output over maxOutputBytes ends as output-too-large', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const result = await sandbox.run({
      code: task(`return 'x'.repeat(5000);`),
      params: {},
      host,
      limits: { maxOutputBytes: 1000 },
    });
    expectFailure(result, 'output-too-large');
    const fits = await sandbox.run({
      code: task(`return 'x'.repeat(500);`),
      params: {},
      host,
      limits: { maxOutputBytes: 1000 },
    });
    expect(expectOutput(fits)).toBe('x'.repeat(500));
  });

  test('too many host calls end as too-many-calls', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const result = await sandbox.run({
      code: task(`for (let i = 0; i < 1000; i++) await ctx.files.download('/file-' + i);`),
      params: {},
      host,
      limits: { maxHostCalls: 20 },
    });
    expectFailure(result, 'too-many-calls');
    expect(host.calls.length).toBeLessThanOrEqual(20);
  });

  test('logs are capped at maxLogEntries', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const result = await sandbox.run({
      code: task(`for (let i = 0; i < 200; i++) ctx.log.info('line ' + i); return 'ok';`),
      params: {},
      host,
      limits: { maxLogEntries: 5 },
    });
    expect(expectOutput(result)).toBe('ok');
    expect(result.logs.map((entry) => entry.message)).toEqual([
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
    ]);
  });

  test('an abort signal ends the run as aborted', async (sandbox) => {
    const host = createRecordingSandboxHost(neverResolve);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const result = await sandbox.run({
      code: task(`await ctx.page.goto('https://example.test/');`),
      params: {},
      host,
      signal: controller.signal,
    });
    expectFailure(result, 'aborted');
    expect(Date.now() - started).toBeLessThan(5_000);
    const already = await sandbox.run({
      code: task('return 1;'),
      params: {},
      host,
      signal: AbortSignal.abort(),
    });
    expectFailure(already, 'aborted');
  });

  test('the sandbox keeps working after failed runs', async (sandbox) => {
    const host = createRecordingSandboxHost(() => 'ok');
    const limits = { cpuTimeoutMs: 200, wallTimeoutMs: 20_000 };
    expectFailure(await sandbox.run({ code: task('while (true) {}'), params: {}, host, limits }), 'timeout');
    expectFailure(
      await sandbox.run({ code: task(`throw new Error('x');`), params: {}, host, limits }),
      'threw',
    );
    const result = await sandbox.run({ code: task('return ctx.page.title();'), params: {}, host, limits });
    expect(expectOutput(result)).toBe('ok');
  });
}
