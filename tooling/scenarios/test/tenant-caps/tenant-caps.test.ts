import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The four attacks of issue 11 against one real server process (real Chromium, isolates and
// compiler; a scripted model writes the attack code), one after another, at full size, while
// /healthz is polled every 100 ms and the server's RSS sampled. Each attack must end its own
// task with a clear, coded error, and the server must keep answering.
const here = path.dirname(fileURLToPath(import.meta.url));
const WORKSPACE = 'ws_caps';
const KEY = 'tenant-caps-key';
/** The stated bound: the server process (Chromium and isolates are its children, not in it). */
const RSS_BOUND_MB = 1024;
/**
 * Every /healthz probe answers within 200 ms during each attack (issue 11). CPU profiles of the
 * server during the attacks show no turn of its event loop longer than about 100 ms (garbage
 * collection after 2,000 frames) once the compiler runs in its thread and the isolate stops at
 * the cap; on a machine with far more runnable processes than cores, what delays an answer is
 * the wait for a time slice, so there the bound is 1 s (before these fixes the first attack's
 * probes took 1.2-6.4 s).
 */
const HEALTHZ_BOUND_MS = loadavg()[0]! <= cpus().length ? 200 : 1000;
/** CPU the isolate processes may still use in the 2 s after an attack's task completed. */
const CHILD_CPU_AFTER_BOUND_MS = 200;
const CLOCK_TICKS_PER_MS = 0.1; // Linux's USER_HZ is 100

let child: ChildProcess;
let url = '';
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'webtasks-caps-'));
  child = spawn(process.execPath, ['--no-node-snapshot', path.join(here, 'attack-server.mjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      WEBTASKS_HOST: '127.0.0.1',
      WEBTASKS_PORT: '0',
      WEBTASKS_DATA_DIR: dataDir,
      WEBTASKS_API_KEYS: `${WORKSPACE}:${KEY}`,
      WEBTASKS_LOG_LEVEL: 'warn',
      WEBTASKS_SANDBOX_WORKERS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 60_000);
    const collect = (chunk: Buffer) => {
      output.push(chunk.toString());
      const ready = /ATTACK_READY (\S+)/.exec(output.join(''));
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${output.join('')}`)));
  });
}, 90_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((resolve) => child?.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
});

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU time (user + system) of the server's isolate processes (its children running isolate-child.js). */
async function isolateCpuMs(serverPid: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== serverPid) continue;
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (!commandLine.includes('isolate-child')) continue;
      total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_MS;
    } catch {
      // The process went away between the listing and the read.
    }
  }
  return total;
}

async function api(method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Run one attack to its end while polling /healthz and the RSS. */
async function attack(name: string) {
  const probes: number[] = [];
  const failures: string[] = [];
  let peakRss = 0;
  let running = true;
  const poll = (async () => {
    while (running) {
      const began = performance.now();
      try {
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        if (!response.ok) failures.push(`status ${response.status}`);
      } catch (error) {
        failures.push(String(error));
      }
      probes.push(performance.now() - began);
      peakRss = Math.max(peakRss, await rssMb(child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const started = await api('POST', `/${WORKSPACE}/web-tasks/start`, {
    task: `attack:${name}`,
    reuseKey: `attack-${name}`,
  });
  const id = started.webTaskId as string;
  let task: Record<string, unknown> = started;
  const deadline = Date.now() + 240_000;
  while (task.status !== 'completed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    task = await api('GET', `/${WORKSPACE}/web-tasks/${id}/result`);
  }
  running = false;
  await poll;
  // The run is over: its isolate must not go on working (a flood's remaining calls once did,
  // for up to the isolate's 30 s CPU budget).
  const cpuAtEnd = await isolateCpuMs(child.pid!);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const childCpuAfterMs = Math.round((await isolateCpuMs(child.pid!)) - cpuAtEnd);
  const sorted = [...probes].sort((a, b) => a - b);
  const figures = {
    attack: name,
    outcome: task.outcome,
    error: JSON.stringify(task.error ?? null).slice(0, 300),
    healthzProbes: probes.length,
    healthzP50Ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    healthzMaxMs: Math.round(sorted.at(-1) ?? 0),
    peakRssMb: Math.round(peakRss),
    childCpuAfterMs,
    load: loadavg()[0]!.toFixed(1),
  };
  console.log(JSON.stringify(figures));
  return { task, failures, figures };
}

describe('caps that protect the other tenants, against a real server process', () => {
  const cases: Array<[string, RegExp]> = [
    ['titles', /more than 64 host calls waiting at once \(limits\.maxConcurrentCalls\)/],
    ['evaluate', /more than 8388608 characters \(maxResultBytes; WEBTASKS_MAX_REPLY_BYTES/],
    ['locators', /more than 64 host calls waiting at once/],
    ['frames', /(more than 200 frames|more than 20 pages)/],
  ];
  for (const [name, expected] of cases) {
    it(`refuses the ${name} attack with a clear error; /healthz answers throughout`, async () => {
      const { task, failures, figures } = await attack(name);
      expect(task.status).toBe('completed');
      expect(task.outcome).not.toBe('success');
      expect(JSON.stringify(task.error)).toMatch(expected);
      expect(failures).toEqual([]);
      expect(figures.healthzMaxMs).toBeLessThan(HEALTHZ_BOUND_MS);
      expect(figures.peakRssMb).toBeLessThan(RSS_BOUND_MB);
      expect(figures.childCpuAfterMs).toBeLessThan(CHILD_CPU_AFTER_BOUND_MS);
    }, 300_000);
  }
});
