import {
  createRecordingSandboxHost,
  describeSandboxContract,
  expectFailure,
  expectOutput,
  sandboxTask,
} from '@webtasks/test-suite';
import { afterEach, describe, expect, it } from 'vitest';
import { createIsolatedVmSandbox, type IsolatedVmSandbox } from './index.js';

describeSandboxContract({ name: 'isolated-vm', create: () => createIsolatedVmSandbox({ workers: 2 }) });

describe('isolated-vm sandbox', () => {
  let sandbox: IsolatedVmSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('ends a run that starts more host calls at once than maxConcurrentCalls; batches pass', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const host = createRecordingSandboxHost(() => 'T');
    const flood = await sandbox.run({
      code: sandboxTask(
        'await Promise.all(Array.from({ length: 99000 }, () => ctx.page.title())); return 1;',
      ),
      params: {},
      host,
      limits: { maxConcurrentCalls: 50 },
    });
    const error = expectFailure(flood, 'too-many-calls');
    expect(error.message).toMatch(/more than 50 host calls waiting at once \(limits\.maxConcurrentCalls\)/);
    expect(host.calls.length).toBeLessThanOrEqual(50);
    const batched = await sandbox.run({
      code: sandboxTask(
        'let n = 0; for (let i = 0; i < 4; i++) n += (await Promise.all(Array.from({ length: 50 }, () => ctx.page.title()))).length; return n;',
      ),
      params: {},
      host,
      limits: { maxConcurrentCalls: 50 },
    });
    expect(expectOutput(batched)).toBe(200);
  }, 60_000);

  it('stops the code at once when a cap ends the run, not when its CPU budget runs out', async () => {
    // One child, so the next run waits for whatever the flood left running in it.
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const host = createRecordingSandboxHost(() => 'T');
    const flood = await sandbox.run({
      code: sandboxTask(
        'await Promise.all(Array.from({ length: 99000 }, () => ctx.page.title())); return 1;',
      ),
      params: {},
      host,
      limits: { cpuTimeoutMs: 20_000 },
    });
    expectFailure(flood, 'too-many-calls');
    // Creating the other 98,936 calls took the isolate ~5 s of CPU before it was disposed at once.
    expect(flood.stats.cpuMs).toBeLessThan(1000);
    const began = performance.now();
    expect(expectOutput(await sandbox.run({ code: sandboxTask('return 2;'), params: {}, host }))).toBe(2);
    expect(performance.now() - began).toBeLessThan(2000);
  }, 60_000);

  it('stops work the code left running once its result is in', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const host = createRecordingSandboxHost(() => 'T');
    const began = performance.now();
    const result = await sandbox.run({
      code: sandboxTask('(async () => { for (;;) await null; })(); return 1;'),
      params: {},
      host,
      limits: { cpuTimeoutMs: 20_000 },
    });
    expect(expectOutput(result)).toBe(1);
    expect(expectOutput(await sandbox.run({ code: sandboxTask('return 2;'), params: {}, host }))).toBe(2);
    // Before, the left-over loop held the child until the CPU budget (20 s) ran out.
    expect(performance.now() - began).toBeLessThan(5000);
  }, 60_000);

  it('rejects one host call whose reply is over maxReplyBytes; the code can go on', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const host = createRecordingSandboxHost((call) =>
      call.kind === 'page' && call.command.op === 'content' ? 'x'.repeat(3 * 1024 * 1024) : 'small',
    );
    const result = await sandbox.run({
      code: sandboxTask(
        'let message = ""; try { await ctx.page.content(); } catch (e) { message = e.message; } return [message, await ctx.page.title()];',
      ),
      params: {},
      host,
      limits: { maxReplyBytes: 1024 * 1024 },
    });
    const [message, title] = expectOutput(result) as [string, string];
    expect(message).toMatch(
      /The reply of page\.content is 3145730 bytes, over the limit of 1048576 \(limits\.maxReplyBytes\)/,
    );
    expect(title).toBe('small');
  }, 60_000);

  it('reports stack lines relative to the code', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const code = `// line 1\nfunction helper() {\n  throw new Error('deep');\n}\nexports.default = async () => helper();\n`;
    const result = await sandbox.run({ code, params: {}, host: createRecordingSandboxHost() });
    const error = expectFailure(result, 'threw');
    expect(error.stack).toContain('task.js:3:');
    expect(error.stack).not.toContain('webtasks-runtime.js');
    expect(error.stack).not.toContain('isolated-vm');
  });

  it('contains a fatal V8 out-of-memory to its own run while another run goes on', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 2 });
    let release!: (value: string) => void;
    const gate = new Promise<string>((resolve) => {
      release = resolve;
    });
    const survivor = sandbox.run({
      code: sandboxTask('const before = await ctx.page.title(); return before + (await ctx.page.title());'),
      params: {},
      host: createRecordingSandboxHost(() => gate),
    });
    const bomb = await sandbox.run({
      code: sandboxTask('const bag = {}; for (let i = 0; ; i++) bag["k" + i] = i;'),
      params: {},
      host: createRecordingSandboxHost(),
      limits: { memoryMb: 16, cpuTimeoutMs: 60_000 },
    });
    expect(expectFailure(bomb, 'crashed', 'memory').message).toMatch(/^\[webtasks:sandbox-isolated-vm\]/);
    release('ok');
    expect(expectOutput(await survivor)).toBe('okok');
    const after = await sandbox.run({
      code: sandboxTask('return 7;'),
      params: {},
      host: createRecordingSandboxHost(),
    });
    expect(expectOutput(after)).toBe(7);
  }, 60_000);

  it('queues runs beyond the pool size and aborts a queued run', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const host = createRecordingSandboxHost(() => 'x');
    const runs = [1, 2, 3].map((n) =>
      sandbox!.run({ code: sandboxTask(`await ctx.page.title(); return ${n};`), params: {}, host }),
    );
    const controller = new AbortController();
    const queued = sandbox.run({
      code: sandboxTask('return 4;'),
      params: {},
      host,
      signal: controller.signal,
    });
    controller.abort();
    expectFailure(await queued, 'aborted');
    expect((await Promise.all(runs)).map(expectOutput)).toEqual([1, 2, 3]);
    expect(sandbox.workerCount).toBe(1);
  });

  it('survives a host whose onLog throws and host results that are not JSON', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 1 });
    const host = {
      call: async () => 10n as never,
      onLog: () => {
        throw new Error('listener broke');
      },
    };
    const code = sandboxTask(
      `ctx.log.info('a'); try { await ctx.page.title(); } catch (e) { return e.message; }`,
    );
    const result = await sandbox.run({ code, params: {}, host });
    expect(expectOutput(result)).toMatch(/not JSON/);
    expect(result.logs.map((entry) => entry.message)).toEqual(['a']);
  });

  it('stops its children on close and refuses later runs', async () => {
    sandbox = createIsolatedVmSandbox({ workers: 2, warm: true });
    await sandbox.run({ code: sandboxTask('return 1;'), params: {}, host: createRecordingSandboxHost() });
    expect(sandbox.workerCount).toBeGreaterThan(0);
    await sandbox.close();
    expect(sandbox.workerCount).toBe(0);
    await expect(
      sandbox.run({ code: sandboxTask('return 1;'), params: {}, host: createRecordingSandboxHost() }),
    ).rejects.toThrow(/closed/);
  });
});
