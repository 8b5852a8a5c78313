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
