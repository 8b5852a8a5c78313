import { type BrowserProvider, WebTasksError } from '@webtasks/core';
import { createFakeBrowserProvider, toolCall } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { createHarness, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_policy';

/** A browser provider whose sessions fail with `code`, like a Chromium that is not installed. */
function failingBrowser(code: 'invalid-config' | 'page-error'): BrowserProvider {
  const real = createFakeBrowserProvider({ site: listSite(['A']) });
  return {
    ...real,
    async openSession() {
      throw new WebTasksError({
        code,
        message: `Chromium is missing at /nowhere: set executablePath (${code})`,
      });
    },
  };
}

describe('one error policy: fatal codes end the task wherever they are raised', () => {
  it('fails the task when try_code hits invalid-config, without another model turn', async () => {
    const h = createHarness({
      site: listSite(['A']),
      script: [{ content: [toolCall('try_code', { source: listCode('.name') })] }, submit(listCode('.name'))],
      extra: { browser: failingBrowser('invalid-config') },
    });
    const result = await h.engine.run({
      workspaceId: WS,
      request: { task: 'names', outputSchema: NAMES_SCHEMA, reuseKey: 'fatal' },
    });
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { code: 'internal-error', message: expect.stringContaining('set executablePath') },
    });
    expect(h.model.calls).toHaveLength(1);
    await h.engine.close();
  });

  it('hands a non-fatal tool error back to the model, which can go on', async () => {
    const h = createHarness({
      site: listSite(['A']),
      script: [
        { content: [toolCall('try_code', { source: listCode('.name') })] },
        { content: [toolCall('give_up', { reason: 'the site cannot be opened' })] },
      ],
      extra: { browser: failingBrowser('page-error') },
    });
    const result = await h.engine.run({
      workspaceId: WS,
      request: { task: 'names', outputSchema: NAMES_SCHEMA, reuseKey: 'not-fatal' },
    });
    expect(h.model.calls).toHaveLength(2);
    expect(JSON.stringify(h.model.calls[1]?.messages)).toContain('page-error: Chromium is missing');
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
    await h.engine.close();
  });
});
