import { expect } from 'vitest';
import { fixtureCompanies } from '../../sites/index.js';
import { type BrowserTestRegistrar, step } from './harness.js';

function refOf(text: string, line: RegExp): string {
  const found = text.split('\n').find((l) => line.test(l));
  const ref = found && /\[ref=([\w]+)\]/.exec(found)?.[1];
  if (!ref) expect.fail(`no ref on a line matching ${line} in:\n${text}`);
  return ref;
}

/** `observe()`: refs, collapsing, form state, sizes; plus screenshots. */
export function registerObserveTests(test: BrowserTestRegistrar): void {
  test('observe returns refs that ref steps can click, and collapses long lists', async ({ open, sites }) => {
    const d = await open();
    await d.goto('/directory');
    const snapshot = await d.session.observe({ maxItemsPerList: 4 });
    expect(snapshot.url).toBe(`${sites.baseUrl}/directory`);
    expect(snapshot.title).toBe('Company directory');
    expect(snapshot.sizeBytes).toBe(Buffer.byteLength(snapshot.text));
    expect(snapshot.rawHtmlBytes).toBeGreaterThan(snapshot.sizeBytes);
    expect(snapshot.text).toContain(fixtureCompanies[0]!.name);
    expect(snapshot.text).toContain(fixtureCompanies[19]!.name);
    expect(snapshot.text).toMatch(/16 more similar items \(listitem\)/);
    expect(snapshot.text).toContain(`/directory/company/${fixtureCompanies[0]!.slug}`);
    const next = refOf(snapshot.text, /link "Next"/);
    await d.loc([step.ref(next)], 'click');
    await d.page('waitForURL', { regex: 'page=2$', flags: '' });
    const second = await d.session.observe();
    const company = fixtureCompanies[20]!;
    await d.loc([step.ref(refOf(second.text, new RegExp(`link "${company.name}"`)))], 'click');
    await d.page('waitForURL', `${sites.baseUrl}/directory/company/${company.slug}`);
    expect(await d.loc([step.role('heading', { level: 1 })], 'textContent')).toBe(company.name);
  });

  test('observe shows form state: values, checked, selected, required and disabled', async ({ open }) => {
    const d = await open();
    await d.goto('/testing/controls');
    await d.loc([step.css('#name')], 'fill', 'Ada');
    await d.loc([step.css('#color')], 'selectOption', 'g');
    await d.loc([step.role('checkbox')], 'check');
    const { text } = await d.session.observe();
    const line = (pattern: RegExp) => text.split('\n').find((l) => pattern.test(l)) ?? '';
    expect(line(/textbox "Name"/)).toMatch(/\[required\].*value="Ada"|value="Ada".*\[required\]/);
    expect(line(/checkbox "Accept terms"/)).toContain('[checked]');
    expect(line(/combobox "Color"/)).toContain('value="Green"');
    expect(line(/textbox "Locked field"/)).toContain('[disabled]');
    expect(line(/radio "Free"/)).toContain('[checked]');
    expect(line(/link "Go to the second page"/)).toContain('/testing/second?from=controls');
    await d.loc([step.ref(refOf(text, /button "Clicked 0 times"/))], 'click');
    expect(await d.loc([step.css('#counter')], 'textContent')).toBe('Clicked 1 times');
  });

  test('a stale or unknown ref is a page-error, a malformed one invalid-request', async ({ open }) => {
    const d = await open();
    await d.goto('/testing/controls');
    await d.session.observe();
    await expect(d.loc([step.ref('e99999')], 'click', { timeout: 500 })).rejects.toMatchObject({
      code: 'page-error',
    });
    await expect(d.loc([step.ref('not a ref')], 'click')).rejects.toMatchObject({ code: 'invalid-request' });
  });

  test(
    'screenshot returns a PNG of the viewport or the full page',
    async ({ open }) => {
      const d = await open();
      await d.goto('/directory');
      const viewport = await d.session.screenshot();
      const full = await d.session.screenshot({ fullPage: true });
      const signature = [0x89, 0x50, 0x4e, 0x47];
      expect([...viewport.slice(0, 4)]).toEqual(signature);
      expect([...full.slice(0, 4)]).toEqual(signature);
      const height = (png: Uint8Array) => Buffer.from(png).readUInt32BE(20);
      expect(height(full)).toBeGreaterThan(height(viewport));
    },
    { needs: 'screenshots' },
  );

  test(
    'close returns a Playwright trace when the session recorded one',
    async ({ open }) => {
      const d = await open({ trace: true });
      await d.goto('/tables/simple');
      const { trace } = await d.session.close();
      expect(trace).toBeInstanceOf(Uint8Array);
      expect([...trace!.slice(0, 2)]).toEqual([0x50, 0x4b]); // zip
      const plain = await open();
      expect((await plain.session.close()).trace).toBeUndefined();
    },
    { needs: 'traces' },
  );
}
