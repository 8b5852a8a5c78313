import { readdirSync, readFileSync } from 'node:fs';
import {
  type CallOptions,
  checkHostCall,
  type HostCall,
  type JsonValue,
  type SandboxErrorKind,
  type SandboxLimits,
} from '@webtasks/core';
import { createRecordingSandboxHost } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedVmSandbox, type IsolatedVmSandbox } from './index.js';

const CORPUS = new URL('./__fixtures__/hostile/', import.meta.url);

interface HostileProgram {
  file: string;
  tries: string;
  expect: Array<SandboxErrorKind | 'ok'>;
  output?: JsonValue;
  limits: SandboxLimits;
  code: string;
}

/** Limits of every hostile run unless its header says otherwise: small, so the corpus runs fast. */
const HOSTILE_LIMITS: SandboxLimits = {
  memoryMb: 32,
  cpuTimeoutMs: 1000,
  wallTimeoutMs: 15_000,
  maxHostCalls: 200,
};

function loadCorpus(): HostileProgram[] {
  return readdirSync(CORPUS)
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => {
      const code = readFileSync(new URL(file, CORPUS), 'utf8');
      const header = (name: string) => code.match(new RegExp(`^// ${name}: (.*)$`, 'm'))?.[1];
      const expected = header('expect');
      if (!expected || !header('tries'))
        throw new Error(`${file}: needs "// tries:" and "// expect:" header lines`);
      const output = header('output');
      const limits = header('limits');
      return {
        file,
        tries: header('tries')!,
        expect: expected.split('|').map((kind) => kind.trim()) as HostileProgram['expect'],
        output: output === undefined ? undefined : (JSON.parse(output) as JsonValue),
        limits: { ...HOSTILE_LIMITS, ...(limits ? (JSON.parse(limits) as SandboxLimits) : {}) },
        code,
      };
    });
}

const BLOCKED_URL = /^(file:|https?:\/\/(169\.254\.|127\.|localhost))/;

/**
 * The host of the corpus: a browser-like fake with an egress policy, which throws decorated
 * errors. Like the engine's host, it checks each call's shape before recording or serving it.
 */
function hostileHost() {
  const recording = createRecordingSandboxHost((request: HostCall) => {
    if (request.kind === 'files.download')
      return { fileId: 'f', name: 'x.pdf', contentType: 'application/pdf', sizeBytes: 1, sourceUrl: '' };
    if (request.kind !== 'page') return null;
    const { command } = request;
    const url = String(command.args[0]);
    if (command.op === 'goto' && (BLOCKED_URL.test(url) || url.includes('error.test'))) {
      // Host-side extras on the error must never cross the bridge.
      throw Object.assign(new Error(`[webtasks:browser] policy-denied: ${url}`), {
        process,
        hostSecret: 'xyz',
      });
    }
    if (command.op === 'title') return 'T';
    if (command.target === 'locator' && command.op === 'count') return 2;
    return null;
  });
  return {
    calls: recording.calls,
    call: async (request: HostCall, options?: CallOptions) => recording.call(checkHostCall(request), options),
  };
}

const BENIGN = `exports.default = async function run(ctx) {
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += (await ctx.page.title()).length;
  ctx.log.info('benign', sum);
  return { sum, n: ctx.params.n };
};`;

describe('hostile corpus', () => {
  const programs = loadCorpus();
  let sandbox: IsolatedVmSandbox;
  const benign = { runs: 0, failures: [] as string[], stop: false, loop: Promise.resolve() };
  const outcomes: string[] = [];

  beforeAll(async () => {
    sandbox = createIsolatedVmSandbox({ workers: 2, warm: true });
    benign.loop = (async () => {
      while (!benign.stop) {
        const n = benign.runs;
        const result = await sandbox.run({
          code: BENIGN,
          params: { n },
          host: hostileHost(),
          limits: { wallTimeoutMs: 60_000 },
        });
        benign.runs += 1;
        if (!result.ok || JSON.stringify(result.output) !== JSON.stringify({ sum: 5, n })) {
          benign.failures.push(JSON.stringify(result.ok ? result.output : result.error));
        }
      }
    })();
  });

  afterAll(async () => {
    benign.stop = true;
    await benign.loop;
    await sandbox?.close();
    console.info(`hostile corpus outcomes (benign runs alongside: ${benign.runs}):\n${outcomes.join('\n')}`);
  });

  it('has at least 30 programs, each with a header', () => {
    expect(programs.length).toBeGreaterThanOrEqual(30);
  });

  for (const program of programs) {
    it(`${program.file}: ${program.tries}`, async () => {
      const host = hostileHost();
      const result = await sandbox.run({
        code: program.code,
        params: { n: 1 },
        host,
        limits: program.limits,
      });
      const kind = result.ok ? 'ok' : result.error.kind;
      const detail = result.ok ? JSON.stringify(result.output).slice(0, 200) : result.error.message;
      outcomes.push(`${program.file.padEnd(34)} ${kind.padEnd(16)} ${Math.round(result.stats.wallMs)} ms`);
      expect(program.expect, `${program.file} ended as ${kind}: ${detail}`).toContain(kind);
      if (result.ok && program.output !== undefined) expect(result.output).toEqual(program.output);
      expect(result.logs.length).toBeLessThanOrEqual(1000);
      expect(result.stats.hostCalls).toBeLessThanOrEqual(program.limits.maxHostCalls! + 1);
      for (const call of host.calls)
        expect(['page', 'files.download', 'ai.extract', 'ai.classify']).toContain(call.kind);
    }, 60_000);
  }

  it('kept the benign runs working and the pool full', async () => {
    expect(benign.failures).toEqual([]);
    expect(benign.runs).toBeGreaterThan(programs.length / 2);
    const result = await sandbox.run({ code: BENIGN, params: { n: -1 }, host: hostileHost() });
    expect(result.ok).toBe(true);
    const deadline = Date.now() + 10_000;
    while (sandbox.workerCount < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sandbox.workerCount).toBe(2);
  });
});
