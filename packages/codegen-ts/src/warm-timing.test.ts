import { bundleWithBody, DIRECTORY_BUNDLE } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { createTsMorphCompiler } from './ts-morph-compiler.js';

/** CPU time of this process in ms: steadier than wall time when other work shares the machine. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure<T>(work: () => Promise<T>): Promise<{ wallMs: number; cpuMs: number }> {
  const wall = performance.now();
  const cpu = cpuMs();
  await work();
  return { wallMs: performance.now() - wall, cpuMs: cpuMs() - cpu };
}

describe('warm project timing', () => {
  it('a warm compile costs tens of milliseconds, a fraction of the cold one', async () => {
    const compiler = createTsMorphCompiler();
    const cold = await measure(() => compiler.warmUp());

    const sources: Record<string, (round: number) => string> = {
      directory: (round) => `${DIRECTORY_BUNDLE}\n// ${round}\n`,
      small: (round) => bundleWithBody(`await ctx.page.goto('https://example.test/${round}');`),
      broken: (round) => bundleWithBody(`await ctx.page.waitForNavigation(); const n: string = ${round};`),
    };
    const samples: Record<string, Array<{ wallMs: number; cpuMs: number }>> = {};
    for (let round = 0; round < 12; round++) {
      for (const [name, source] of Object.entries(sources)) {
        const sample = await measure(() => compiler.compile({ source: source(round) }));
        if (round < 2) continue;
        samples[name] = [...(samples[name] ?? []), sample];
      }
    }
    const warm = Object.entries(samples).map(([name, values]) => ({
      name,
      wallMs: median(values.map((v) => v.wallMs)),
      cpuMs: median(values.map((v) => v.cpuMs)),
    }));
    console.info(
      `[codegen-ts] cold start: ${cold.wallMs.toFixed(0)} ms wall, ${cold.cpuMs.toFixed(0)} ms CPU. Warm compile medians: ${warm
        .map((w) => `${w.name} ${w.wallMs.toFixed(1)} ms wall / ${w.cpuMs.toFixed(1)} ms CPU`)
        .join('; ')}`,
    );
    // The directory bundle (45 lines: paging, filters, detail pages) takes 120-210 ms of CPU
    // on a shared 2-core machine; a small bundle, or one with a type error, tens of ms.
    const bound: Record<string, number> = { directory: 400, small: 100, broken: 100 };
    for (const { name, cpuMs: warmCpu } of warm) {
      expect(warmCpu).toBeLessThan(cold.cpuMs / 3);
      expect(warmCpu).toBeLessThan(bound[name] ?? 100);
    }
  }, 120_000);
});
