import type { SettingNames } from '@webtasks/core';
import { type FixtureSites, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine, submitReply } from './real-harness.js';

// The real cause first (the saved run's error, with the setting that fixes it spelled as the
// user types it) and a request never silently ignored (another schema, another task text).

const CLI_NAMES: SettingNames = {
  allowHost: (host) => `--allow-host ${host}`,
  model: 'set ANTHROPIC_API_KEY',
};
const WS = 'ws_cause';
let sites: FixtureSites;
let noModel: ReturnType<typeof createRealEngine>;
let scripted: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startFixtureSites();
  noModel = createRealEngine({ sites, model: null, settingNames: CLI_NAMES });
  scripted = createRealEngine({ sites, settingNames: CLI_NAMES });
});
afterAll(async () => {
  await noModel?.close();
  await scripted?.close();
  await sites?.close();
});

const key = () => `k-${Math.random().toString(36).slice(2)}`;
const bundle = (body: string) => `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
${body}
}
`;
const failed = (result: unknown) => {
  const r = result as { outcome?: string; error?: { code: string; message: string; causes?: unknown[] } };
  expect(r.outcome, JSON.stringify(result)).toBe('failed');
  return r.error as { code: string; message: string; causes?: Array<{ stage: string; code: string }> };
};

describe('saved code failed and no model to repair it', { timeout: 120_000 }, () => {
  it('an egress refusal is the error, with the --allow-host spelling; both errors are kept', async () => {
    const reuseKey = key();
    await noModel.engine.bundles.import({
      workspaceId: WS,
      reuseKey,
      source: bundle(`  await ctx.page.goto('http://127.0.0.1:1/start');\n  return { ok: true };`),
      outputSchema: { type: 'object' },
      // Broken on purpose: a verification run would refuse the import.
      verify: false,
    });
    const error = failed(await noModel.engine.run({ workspaceId: WS, request: { task: 'read', reuseKey } }));
    expect(error.code).toBe('rejected');
    const [first, second] = error.message.split('\n');
    expect(first).toMatch(
      /^The saved code \(v1\) failed: .*egress policy refused http:\/\/127\.0\.0\.1:1\/start/,
    );
    expect(first).toContain('To allow it: --allow-host 127.0.0.1:1');
    expect(second).toMatch(
      /^No repair was tried: .*no language model is configured: set ANTHROPIC_API_KEY\.$/,
    );
    expect(error.causes?.map((c) => `${c.stage}:${c.code}`)).toEqual([
      'saved-run:policy-denied',
      'repair:model-not-configured',
    ]);
  });

  it('a selector that timed out is the error, named', async () => {
    const reuseKey = key();
    await noModel.engine.bundles.import({
      workspaceId: WS,
      reuseKey,
      source: bundle(
        `  await ctx.page.goto(${JSON.stringify(`${sites.baseUrl}/tables/simple`)});\n  await ctx.page.locator('#no-such-button').click({ timeout: 300 });\n  return {};`,
      ),
      outputSchema: { type: 'object' },
      // Broken on purpose: a verification run would refuse the import.
      verify: false,
    });
    const error = failed(await noModel.engine.run({ workspaceId: WS, request: { task: 'read', reuseKey } }));
    expect(error.message.split('\n')[0]).toMatch(/^The saved code \(v1\) failed: .*#no-such-button/);
    expect(error.causes?.[0]?.stage).toBe('saved-run');
  });

  it('a task that needs the agent fails at once, rejected, naming the setting', async () => {
    const started = Date.now();
    const error = failed(
      await noModel.engine.run({
        workspaceId: WS,
        request: { task: 'read the table', startUrl: `${sites.baseUrl}/tables/simple`, reuseKey: key() },
      }),
    );
    expect(error.code).toBe('rejected');
    expect(error.message).toMatch(
      /has no saved code, so the agent must write it, and no language model is configured: set ANTHROPIC_API_KEY\.$/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('a loopback start URL on a new key', { timeout: 60_000 }, () => {
  it('is refused before exploring, with the --allow-host spelling', async () => {
    const h = createRealEngine({
      sites,
      settingNames: CLI_NAMES,
      egress: { allowHosts: [new URL(sites.baseUrl).host] },
    });
    try {
      const error = failed(
        await h.engine.run({
          workspaceId: WS,
          request: { task: 'read it', startUrl: 'http://127.0.0.1:8765/', reuseKey: key() },
        }),
      );
      expect(error.code).toBe('rejected');
      expect(error.message).toContain('To allow it: --allow-host 127.0.0.1:8765');
      expect(h.model.calls).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('a request that differs from the saved code', { timeout: 120_000 }, () => {
  it('another outputSchema is enforced on the saved output; the repair is saved with it', async () => {
    const reuseKey = key();
    await scripted.engine.bundles.import({
      workspaceId: WS,
      reuseKey,
      source: bundle(
        `  await ctx.page.goto(${JSON.stringify(`${sites.baseUrl}/tables/simple`)});\n  return { title: await ctx.page.title() };`,
      ),
      outputSchema: { type: 'object' },
      task: 'read the title',
    });
    const arraySchema = { type: 'array', items: { type: 'string' } };
    scripted.model.setScript([
      submitReply(
        bundle(
          `  await ctx.page.goto(${JSON.stringify(`${sites.baseUrl}/tables/simple`)});\n  return [await ctx.page.title()];`,
        ),
      ),
    ]);
    const result = await scripted.engine.run({
      workspaceId: WS,
      request: { task: 'read the title', reuseKey, outputSchema: arraySchema },
    });
    expect(result).toMatchObject({
      outcome: 'success',
      result: { type: 'inline', data: ['Simple table'] },
      reuse: { used: true, updated: true },
    });
    const latest = await scripted.bundles.latest({ workspaceId: WS, reuseKey });
    expect(latest?.version).toBe(2);
    expect(latest?.outputSchema).toEqual(arraySchema);
    expect((result as { reuse: { notes?: string[] } }).reuse.notes?.[0]).toMatch(/outputSchema differs/);
  });

  it('another task text runs the saved code and says so in reuse.notes', async () => {
    const reuseKey = key();
    await noModel.engine.bundles.import({
      workspaceId: WS,
      reuseKey,
      source: bundle(
        `  await ctx.page.goto(${JSON.stringify(`${sites.baseUrl}/tables/simple`)});\n  return { title: await ctx.page.title() };`,
      ),
      outputSchema: { type: 'object' },
      task: 'read the title',
    });
    const result = await noModel.engine.run({
      workspaceId: WS,
      request: { task: 'count the rows', reuseKey },
    });
    expect(result).toMatchObject({ outcome: 'success', reuse: { used: true, updated: false } });
    const notes = (result as { reuse: { notes?: string[] } }).reuse.notes ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^The task text differs from the one v1 was written for \("read the title"\)/);
  });
});
