import { createRecordingSandboxHost, expectFailure, expectOutput, sandboxTask } from '@webtasks/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { createIsolatedVmSandbox } from './index.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// Figures for the README; the bounds are loose so that a busy machine does not fail the build.
describe('bridge overhead', () => {
  const sandbox = createIsolatedVmSandbox({ workers: 1, warm: true });
  const figures: Record<string, string> = {};
  afterAll(async () => {
    await sandbox.close();
    console.info('isolated-vm sandbox figures:', figures);
  });

  it('starts a fresh isolate per run quickly', async () => {
    const host = createRecordingSandboxHost();
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      const result = await sandbox.run({ code: sandboxTask('return 1;'), params: {}, host });
      expect(expectOutput(result)).toBe(1);
      walls.push(performance.now() - started);
      cpus.push(result.stats.cpuMs ?? 0);
    }
    figures.runMedianMs = median(walls.slice(5)).toFixed(2);
    figures.runIsolateCpuMedianMs = median(cpus.slice(5)).toFixed(2);
    expect(median(walls.slice(5))).toBeLessThan(500);
  });

  it('bridges a host call in well under a millisecond or so', async () => {
    const host = createRecordingSandboxHost(() => 'title');
    const calls = 2000;
    const started = performance.now();
    const result = await sandbox.run({
      code: sandboxTask(`for (let i = 0; i < ${calls}; i++) await ctx.page.title(); return 'done';`),
      params: {},
      host,
    });
    const totalMs = performance.now() - started;
    expect(expectOutput(result)).toBe('done');
    const perCallUs = ((totalMs - Number(figures.runMedianMs ?? 0)) * 1000) / calls;
    figures.hostCallRoundTripUs = perCallUs.toFixed(1);
    figures.isolateCpuPerCallUs = (((result.stats.cpuMs ?? 0) * 1000) / calls).toFixed(1);
    expect(perCallUs).toBeLessThan(5000);
  });

  it('recovers from a crashed child quickly', async () => {
    const host = createRecordingSandboxHost();
    const bomb = await sandbox.run({
      code: sandboxTask('const bag = {}; for (let i = 0; ; i++) bag["k" + i] = i;'),
      params: {},
      host,
      limits: { memoryMb: 16, cpuTimeoutMs: 60_000 },
    });
    const crashedAt = performance.now();
    expectFailure(bomb, 'crashed', 'memory');
    const after = await sandbox.run({ code: sandboxTask('return 2;'), params: {}, host });
    expect(expectOutput(after)).toBe(2);
    figures.crashKind = bomb.ok ? 'none' : bomb.error.kind;
    figures.crashToNextRunMs = (performance.now() - crashedAt).toFixed(0);
    expect(performance.now() - crashedAt).toBeLessThan(10_000);
  }, 60_000);
});
