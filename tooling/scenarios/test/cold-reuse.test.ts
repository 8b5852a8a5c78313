import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTsMorphCompiler } from '@webtasks/codegen-ts';
import { type CodeCompiler, hashSource } from '@webtasks/core';
import { createFsBundleStore } from '@webtasks/store-fs';
import { type FixtureSites, fixtureSimpleTableCompanies, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine, submitReply } from './real-harness.js';

// Each engine below is a fresh one (its own in-memory compile cache, Chromium and isolate
// children) on one shared store directory: what a new process sees.
const WS = 'ws_cold';
let sites: FixtureSites;
let directory: string;

beforeAll(async () => {
  sites = await startFixtureSites();
  directory = mkdtempSync(join(tmpdir(), 'webtasks-cold-reuse-'));
});
afterAll(async () => {
  await sites?.close();
  rmSync(directory, { recursive: true, force: true });
});

const tableCode = (base: string, note = '') => `import type { TaskContext } from 'webtasks:runtime';
${note}
export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/tables/simple');
  const names = await ctx.page.locator('#companies tbody tr td:first-child').allTextContents();
  return names.map((name) => ({ name: name.trim() }));
}
`;
const SCHEMA = { type: 'array', minItems: 1, items: { type: 'object', required: ['name'] } };
const expected = () => fixtureSimpleTableCompanies.map((c) => ({ name: c.name }));

/** A ts-morph compiler that counts its compiles; `version` overrides the one it reports. */
function countingCompiler(version?: string): CodeCompiler & { calls: string[]; version: string } {
  const inner = createTsMorphCompiler();
  const calls: string[] = [];
  return {
    specificationVersion: 'v1',
    version: version ?? inner.version,
    calls,
    compile(options) {
      calls.push(options.source);
      return inner.compile(options);
    },
  };
}

/** One reuse run of `reuseKey` in a fresh engine; returns the compiles it made. */
async function reuseInFreshEngine(reuseKey: string, compiler = countingCompiler()) {
  const h = createRealEngine({ sites, directory, compiler });
  try {
    const result = await h.engine.run({ workspaceId: WS, request: { task: 'read the table', reuseKey } });
    expect(result, JSON.stringify(result)).toMatchObject({
      status: 'completed',
      outcome: 'success',
      reuse: { used: true, created: false, updated: false },
    });
    if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'inline')
      throw new Error('inline');
    expect(result.result.data).toEqual(expected());
    expect(h.model.calls).toHaveLength(0);
    return compiler.calls.length;
  } finally {
    await h.close();
  }
}

describe('cold reuse: saved code runs from its stored JavaScript', { timeout: 240_000 }, () => {
  const bundles = () => createFsBundleStore({ directory });

  it('a version the agent saved runs in a fresh engine without a single compile', async () => {
    const source = tableCode(sites.baseUrl);
    const compiler = countingCompiler();
    const explorer = createRealEngine({ sites, directory, compiler, script: [submitReply(source, SCHEMA)] });
    try {
      const first = await explorer.engine.run({
        workspaceId: WS,
        request: { task: 'read the table', reuseKey: 'table' },
      });
      expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    } finally {
      await explorer.close();
    }
    expect(compiler.calls.length).toBeGreaterThan(0);
    const saved = await bundles().latest({ workspaceId: WS, reuseKey: 'table' });
    expect(saved?.compiled).toMatchObject({
      sourceHash: hashSource(source),
      compilerVersion: compiler.version,
    });
    expect(saved?.compiled?.javascript).toContain('exports.default');

    expect(await reuseInFreshEngine('table')).toBe(0);
  });

  it('a version saved without compiled code compiles once, stores it, and the next process does not compile', async () => {
    // Saved the way versions were saved before compiled code was stored.
    const source = tableCode(sites.baseUrl, '// saved by an older webtasks');
    await bundles().save({
      bundle: {
        workspaceId: WS,
        reuseKey: 'legacy',
        source,
        outputSchema: SCHEMA,
        origin: 'import',
        task: 'x',
      },
      expectedVersion: 0,
    });
    expect(await reuseInFreshEngine('legacy')).toBe(1);
    const stored = await bundles().latest({ workspaceId: WS, reuseKey: 'legacy' });
    expect(stored?.compiled?.sourceHash).toBe(hashSource(source));
    expect(stored?.version).toBe(1);
    expect(await reuseInFreshEngine('legacy')).toBe(0);
  });

  it('code stored by another compiler version, or for another source, is compiled again', async () => {
    const source = tableCode(sites.baseUrl, '// compiled elsewhere');
    const store = bundles();
    const saved = await store.save({
      bundle: {
        workspaceId: WS,
        reuseKey: 'other',
        source,
        outputSchema: SCHEMA,
        origin: 'import',
        task: 'x',
        // Runs, but returns nothing: used, the run would fail validation.
        compiled: {
          javascript: 'exports.default = async function run() { return []; };',
          sourceHash: hashSource(source),
          compilerVersion: 'some other compiler',
        },
      },
      expectedVersion: 0,
    });
    expect(await reuseInFreshEngine('other')).toBe(1);
    const replaced = await store.latest({ workspaceId: WS, reuseKey: 'other' });
    expect(replaced?.compiled?.compilerVersion).toBe(createTsMorphCompiler().version);

    await store.saveCompiled({
      workspaceId: WS,
      reuseKey: 'other',
      version: saved.version,
      compiled: {
        ...(replaced?.compiled as NonNullable<typeof replaced>['compiled'] & object),
        sourceHash: hashSource('something else'),
      },
    });
    expect(await reuseInFreshEngine('other')).toBe(1);
    // A compiler reporting another version does not take the stored code either.
    expect(await reuseInFreshEngine('other', countingCompiler('codegen-ts/999'))).toBe(1);
  });
});
