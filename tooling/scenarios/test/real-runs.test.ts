import { type FixtureSites, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine, submitReply } from './real-harness.js';

const WS = 'ws_real_runs';
let sites: FixtureSites;
let h: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startFixtureSites();
  h = createRealEngine({ sites });
});

afterAll(async () => {
  await h?.close();
  await sites?.close();
});

const tableCode = (base: string, failFirst: boolean) => `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/tables/simple');
  ${failFirst ? "throw new Error('the first candidate fails on the page');" : ''}
  const rows = await ctx.page.$$eval('#companies tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
  );
  return rows.map(([name]) => ({ name }));
}
`;

describe('run records with real Chromium and isolates', { timeout: 180_000 }, () => {
  it('keeps a real screenshot and the HTML at a failure, and the Playwright trace with debug.trace', async () => {
    h.model.setScript([
      submitReply(tableCode(sites.baseUrl, true)),
      submitReply(tableCode(sites.baseUrl, false)),
    ]);
    const result = await h.engine.run({
      workspaceId: WS,
      request: {
        task: 'Read the company names of the table',
        startUrl: `${sites.baseUrl}/tables/simple`,
        outputSchema: { type: 'array', minItems: 1 },
        reuseKey: 'traced',
        debug: { trace: true },
      },
    });
    expect(result).toMatchObject({ outcome: 'success' });
    const record = await h.engine.record({ workspaceId: WS, webTaskId: result.webTaskId });
    expect(record.finished).toBe(true);
    const reused = await h.engine.run({
      workspaceId: WS,
      request: { task: 'Read the company names of the table', reuseKey: 'traced' },
    });
    const typical = await h.engine.record({ workspaceId: WS, webTaskId: reused.webTaskId });
    console.log(
      `run record size: explore with one failed attempt ${Buffer.byteLength(JSON.stringify(record))} bytes (+ ${record.artifacts.reduce((sum, a) => sum + a.sizeBytes, 0)} bytes of artifacts), reuse run ${Buffer.byteLength(JSON.stringify(typical))} bytes`,
    );
    const [failed, passed] = record.attempts;
    expect(failed?.error?.message).toContain('the first candidate fails on the page');
    const byKey = new Map(record.artifacts.map((artifact) => [artifact.key, artifact]));
    const failureKinds = (failed?.artifactKeys ?? []).map((key) => byKey.get(key)?.kind).sort();
    expect(failureKinds).toEqual(['html', 'screenshot', 'trace']);
    expect(passed?.artifactKeys?.map((key) => byKey.get(key)?.kind)).toEqual(['trace']);
    for (const artifact of record.artifacts) {
      const blob = await h.blobs.get({ key: artifact.key });
      const body = Buffer.from(blob?.body ?? []);
      expect(body.byteLength).toBe(artifact.sizeBytes);
      if (artifact.kind === 'screenshot') expect(body.subarray(1, 4).toString()).toBe('PNG');
      if (artifact.kind === 'html') expect(body.toString()).toContain('<table');
      if (artifact.kind === 'trace') {
        // A Playwright trace zip: what `npx playwright show-trace` opens.
        expect(body.subarray(0, 2).toString()).toBe('PK');
        expect(body.includes(Buffer.from('trace.trace'))).toBe(true);
      }
    }
  });
});
