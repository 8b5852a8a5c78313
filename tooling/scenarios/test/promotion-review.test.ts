import type { FakeSite } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_review';
const KEY = 'reviewed';
const request = {
  task: 'List the company names',
  startUrl: LIST_URL,
  reuseKey: KEY,
  outputSchema: NAMES_SCHEMA,
};

/** A page listing ABC under `.name` and/or XYZ under `.title`. */
function site(which: { name?: boolean; title?: boolean }): FakeSite {
  const elements: Record<string, string[]> = {};
  if (which.name) elements['.name'] = ['Acme', 'Bolt', 'Crane'];
  if (which.title) elements['.title'] = ['Xeno', 'Yarrow', 'Zinc'];
  return { pages: { [LIST_URL]: { title: 'Companies', elements } } };
}
const ABC = [{ name: 'Acme' }, { name: 'Bolt' }, { name: 'Crane' }];
const XYZ = [{ name: 'Xeno' }, { name: 'Yarrow' }, { name: 'Zinc' }];

describe('promotion policy and pinning on fakes', () => {
  it('review: a repair is saved as proposed, not used until approved; rejecting keeps the old version', async () => {
    const h = createHarness({ site: site({ name: true }) });
    const key = { workspaceId: WS, reuseKey: KEY };
    expect(await h.engine.bundles.setPolicy({ ...key, policy: 'review' })).toEqual({ promotion: 'review' });
    h.model.setScript([submit(listCode('.name'))]);
    // The first version of a key goes live: there is nothing to keep using instead.
    expect(await h.engine.run({ workspaceId: WS, request })).toMatchObject({ reuse: { created: true } });

    h.browser.site = site({ title: true });
    h.model.setScript(() => submit(listCode('.title')));
    const repaired = await h.engine.run({ workspaceId: WS, request });
    expect(repaired).toMatchObject({
      outcome: 'success',
      result: { data: XYZ },
      reuse: { used: true, updated: true, notes: [expect.stringContaining('saved as v2 for review')] },
    });
    expect((await h.engine.bundles.history(key)).map((b) => [b.version, b.status])).toEqual([
      [2, 'proposed'],
      [1, undefined],
    ]);

    // Both markups on the page: the output shows which version ran. v1 it is.
    h.browser.site = site({ name: true, title: true });
    const calls = h.model.calls.length;
    expect(await h.engine.run({ workspaceId: WS, request })).toMatchObject({ result: { data: ABC } });
    await h.engine.bundles.reject({ ...key, version: 2 });
    expect(await h.engine.run({ workspaceId: WS, request })).toMatchObject({ result: { data: ABC } });
    expect((await h.engine.bundles.get({ ...key, version: 2 }))?.status).toBe('rejected');
    await expect(h.engine.bundles.approve({ ...key, version: 2 })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('only proposed versions'),
    });
    expect(h.model.calls.length).toBe(calls);

    // Another repair, approved this time: later runs use it.
    h.browser.site = site({ title: true });
    await h.engine.run({ workspaceId: WS, request });
    expect(await h.engine.bundles.get(key)).toMatchObject({
      version: 3,
      status: 'proposed',
      parentVersion: 1,
    });
    expect(await h.engine.bundles.approve({ ...key, version: 3 })).toMatchObject({
      version: 3,
      status: 'active',
    });
    h.browser.site = site({ name: true, title: true });
    const approved = await h.engine.run({ workspaceId: WS, request });
    expect(approved).toMatchObject({ result: { data: XYZ }, reuse: { used: true, updated: false } });
    expect((await h.engine.getTask({ workspaceId: WS, webTaskId: approved.webTaskId }))?.bundleVersion).toBe(
      3,
    );
    await h.engine.close();
  });

  it('pin: runs use the pinned version after newer saves, are not repaired, and unpin restores the newest', async () => {
    const h = createHarness({ site: site({ name: true }) });
    const key = { workspaceId: WS, reuseKey: KEY };
    h.model.setScript([submit(listCode('.name'))]);
    await h.engine.run({ workspaceId: WS, request });
    h.browser.site = site({ title: true });
    h.model.setScript(() => submit(listCode('.title')));
    await h.engine.run({ workspaceId: WS, request });
    expect((await h.engine.bundles.get(key))?.version).toBe(2);

    await expect(h.engine.bundles.pin({ ...key, version: 7 })).rejects.toMatchObject({ code: 'not-found' });
    expect(await h.engine.bundles.pin({ ...key, version: 1 })).toEqual({
      promotion: 'auto',
      pinnedVersion: 1,
    });
    h.browser.site = site({ name: true, title: true });
    expect(await h.engine.run({ workspaceId: WS, request })).toMatchObject({ result: { data: ABC } });
    // A failing pinned version is reported, not repaired.
    h.browser.site = site({ title: true });
    const calls = h.model.calls.length;
    const failed = await h.engine.run({ workspaceId: WS, request });
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: { code: 'rejected', message: expect.stringContaining('is pinned to v1, so it is not repaired') },
    });
    expect(h.model.calls.length).toBe(calls);
    expect(await h.engine.bundles.unpin(key)).toEqual({ promotion: 'auto' });
    expect(await h.engine.run({ workspaceId: WS, request })).toMatchObject({
      outcome: 'success',
      result: { data: XYZ },
    });
    await h.engine.close();
  });

  it('off: a failing version is reported without a repair', async () => {
    const h = createHarness({ site: site({ name: true }) });
    h.model.setScript([submit(listCode('.name'))]);
    await h.engine.run({ workspaceId: WS, request });
    await h.engine.bundles.setPolicy({ workspaceId: WS, reuseKey: KEY, policy: 'off' });
    await expect(
      h.engine.bundles.setPolicy({ workspaceId: WS, reuseKey: KEY, policy: 'sometimes' as never }),
    ).rejects.toMatchObject({ code: 'invalid-request' });
    h.browser.site = site({ title: true });
    const calls = h.model.calls.length;
    const failed = await h.engine.run({ workspaceId: WS, request });
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: { message: expect.stringContaining('the promotion policy of reuse key "reviewed" is "off"') },
      reuse: { used: false, updated: false },
    });
    expect(h.model.calls.length).toBe(calls);
    expect((await h.engine.bundles.history({ workspaceId: WS, reuseKey: KEY })).length).toBe(1);
    await h.engine.close();
  });
});
