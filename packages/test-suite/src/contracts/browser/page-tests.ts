import { expect } from 'vitest';
import { fixtureCompanies, formConfirmationNumber } from '../../sites/index.js';
import { type BrowserTestRegistrar, fn, regex, step } from './harness.js';

/** Sessions, navigation, locators, actions, reads and evaluation. */
export function registerPageTests(test: BrowserTestRegistrar): void {
  test('sessions are isolated: a cookie set in one is not sent by another', async ({ open }) => {
    const cookieName = `c${Math.random().toString(36).slice(2, 10)}`;
    const [a, b] = await Promise.all([open(), open()]);
    await a.goto(`/testing/set-cookie?name=${cookieName}&value=one`);
    await a.goto('/testing/cookies');
    await b.goto('/testing/cookies');
    expect(await a.loc([step.css('#cookies')], 'textContent')).toContain(`${cookieName}=one`);
    expect(await b.loc([step.css('#cookies')], 'textContent')).not.toContain(cookieName);
    expect(a.session.id).not.toBe(b.session.id);
  });

  test('goto, url, title, content, reload, goBack and goForward', async ({ open, sites }) => {
    const d = await open();
    expect(await d.page('goto', `${sites.baseUrl}/tables/simple`)).toBeNull();
    expect(await d.page('url')).toBe(`${sites.baseUrl}/tables/simple`);
    expect(await d.page('title')).toBe('Simple table');
    expect(await d.page('content')).toContain('<caption>Companies (first 15)</caption>');
    await d.goto('/tables/complex');
    expect(await d.page('reload')).toBeNull();
    expect(await d.page('goBack')).toBeNull();
    expect(await d.page('url')).toBe(`${sites.baseUrl}/tables/simple`);
    await d.page('goForward');
    expect(await d.page('title')).toBe('Revenue by region');
  });

  test('locator chains: nth, first, last and filter with hasText, has and hasNot', async ({ open }) => {
    const d = await open();
    await d.goto('/testing/controls');
    const fruits = step.css('#fruits li');
    expect(await d.loc([fruits, step.nth(1)], 'textContent')).toBe('Banana');
    expect(await d.loc([fruits, step.first()], 'innerText')).toBe('Apple fresh');
    expect(await d.loc([fruits, step.last()], 'innerText')).toBe('Elderberry fresh');
    expect(await d.loc([fruits, { kind: 'filter', hasText: regex(/^c/i) }], 'innerText')).toBe(
      'Cherry fresh',
    );
    expect(await d.loc([fruits, { kind: 'filter', has: [step.css('.tag')] }], 'count')).toBe(3);
    expect(await d.loc([fruits, { kind: 'filter', hasNot: [step.css('.tag')] }], 'allTextContents')).toEqual([
      'Banana',
      'Date',
    ]);
    expect(await d.loc([fruits, { kind: 'filter', hasNotText: 'fresh' }, step.last()], 'textContent')).toBe(
      'Date',
    );
    expect(
      await d.loc([step.css('#fruits'), step.css('li', { hasText: 'Date' })], 'getAttribute', 'data-price'),
    ).toBe('12');
  });

  test('getBy* locators: role, text, label, placeholder, alt text, title and test id', async ({ open }) => {
    const d = await open();
    await d.goto('/testing/controls');
    expect(await d.loc([step.role('heading', { level: 1 })], 'textContent')).toBe('Controls playground');
    expect(await d.loc([step.role('button', { name: regex(/save/i) })], 'count')).toBe(1);
    expect(await d.loc([step.role('list', { name: 'Fruits' }), step.role('listitem')], 'count')).toBe(5);
    expect(await d.loc([step.text('getByText', 'Hover me')], 'getAttribute', 'title')).toBe('Tooltip text');
    expect(await d.loc([step.text('getByLabel', 'Name', true)], 'getAttribute', 'id')).toBe('name');
    expect(await d.loc([step.text('getByPlaceholder', 'Your name')], 'getAttribute', 'id')).toBe('name');
    expect(await d.loc([step.text('getByAltText', 'Company logo')], 'getAttribute', 'src')).toBe(
      '/testing/pixel.png',
    );
    expect(await d.loc([step.text('getByTitle', 'Tooltip text')], 'textContent')).toBe('Hover me');
    expect(await d.loc([step.testId('fruit-2')], 'getAttribute', 'data-price')).toBe('9');
    expect(await d.loc([step.testId(regex(/^fruit-/))], 'count')).toBe(5);
  });

  test('actions: click, dblclick, fill, selectOption, check, press and the form state they leave', async ({
    open,
  }) => {
    const d = await open();
    await d.goto('/testing/controls');
    await d.loc([step.css('#counter')], 'click');
    await d.loc([step.css('#counter')], 'click');
    expect(await d.loc([step.css('#counter')], 'textContent')).toBe('Clicked 2 times');
    await d.loc([step.css('#double')], 'dblclick');
    expect(await d.loc([step.css('#double')], 'textContent')).toBe('Double clicked');
    await d.loc([step.text('getByLabel', 'Name', true)], 'fill', 'Grace Hopper');
    await d.loc([step.text('getByLabel', 'Bio')], 'pressSequentially', 'COBOL');
    expect(await d.loc([step.role('combobox', { name: 'Color' })], 'selectOption', 'Blue')).toEqual(['b']);
    await d.loc([step.role('checkbox', { name: 'Accept terms' })], 'check');
    await d.loc([step.role('radio', { name: 'Pro' })], 'setChecked', true);
    expect(await d.loc([step.role('checkbox')], 'isChecked')).toBe(true);
    expect(await d.loc([step.css('#bio')], 'inputValue')).toBe('COBOL');
    await d.loc([step.css('#keys')], 'press', 'Enter');
    expect(await d.loc([step.css('#keys')], 'getAttribute', 'data-last')).toBe('Enter');
    await d.loc([step.role('button', { name: 'Save profile' })], 'click');
    const output = JSON.parse(String(await d.loc([step.testId('output')], 'textContent')));
    expect(output).toEqual({ name: 'Grace Hopper', bio: 'COBOL', terms: 'yes', plan: 'pro', color: 'b' });
    expect(await d.loc([step.css('#disabled-input')], 'isDisabled')).toBe(true);
    expect(await d.loc([step.css('#late')], 'isVisible')).toBe(false);
  });

  test('reads: textContent, innerText, innerHTML, getAttribute, count, allTextContents, allInnerTexts', async ({
    open,
  }) => {
    const d = await open();
    await d.goto('/directory?page=3');
    const cards = step.css('.company-card');
    expect(await d.loc([cards], 'count')).toBe(20);
    const names = await d.loc([cards, step.css('a.company-name')], 'allTextContents');
    expect(names).toEqual(fixtureCompanies.slice(40, 60).map((c) => c.name));
    expect(await d.loc([cards, step.first(), step.css('a')], 'getAttribute', 'href')).toBe(
      `/directory/company/${fixtureCompanies[40]!.slug}`,
    );
    expect(await d.loc([cards, step.first(), step.css('.company-batch')], 'innerText')).toBe(
      fixtureCompanies[40]!.batch,
    );
    expect(await d.loc([cards, step.nth(1), step.css('.company-tagline')], 'innerHTML')).toBe(
      fixtureCompanies[41]!.tagline,
    );
    expect(await d.loc([step.css('.company-batch')], 'allInnerTexts')).toHaveLength(20);
    expect(await d.loc([step.css('.does-not-exist')], 'count')).toBe(0);
  });

  test('evaluate with an argument, $eval, $$eval, locator.evaluate and evaluateAll return JSON', async ({
    open,
  }) => {
    const d = await open();
    await d.goto('/testing/controls');
    expect(
      await d.page(
        'evaluate',
        fn((arg: { a: number }) => arg.a * 2),
        { a: 21 },
      ),
    ).toBe(42);
    expect(
      await d.page(
        'evaluate',
        fn(() => undefined),
      ),
    ).toBeNull();
    expect(
      await d.page(
        'evaluate',
        fn(async () => ({ title: document.title, nothing: undefined, list: [1, 'two'] })),
      ),
    ).toEqual({
      title: 'Controls playground',
      nothing: null,
      list: [1, 'two'],
    });
    expect(
      await d.page(
        '$eval',
        '#fruits',
        fn((el: Element, sep: string) => el.children.length + sep),
        '!',
      ),
    ).toBe('5!');
    expect(
      await d.page(
        '$$eval',
        '#fruits li',
        fn((els: Element[]) => els.map((e) => Number(e.getAttribute('data-price')))),
      ),
    ).toEqual([3, 6, 9, 12, 15]);
    expect(
      await d.loc(
        [step.css('#fruits')],
        'evaluate',
        fn((el: Element, n: number) => el.children[n]!.textContent),
        3,
      ),
    ).toBe('Date');
    expect(
      await d.loc(
        [step.css('#fruits li')],
        'evaluateAll',
        fn(
          (els: Element[], min: number) =>
            els.filter((e) => Number(e.getAttribute('data-price')) > min).length,
        ),
        7,
      ),
    ).toBe(3);
  });

  test('waits: waitForURL with a regular expression, waitForSelector, waitFor, waitForTimeout, waitForLoadState', async ({
    open,
  }) => {
    const d = await open();
    await d.goto('/testing/controls');
    await d.loc([step.role('link', { name: 'Go to the second page' })], 'click');
    expect(await d.page('waitForURL', regex(/\/testing\/second\?from=\w+$/))).toBeNull();
    expect(await d.page('waitForLoadState', 'domcontentloaded')).toBeNull();
    await d.page('goBack');
    await d.loc([step.css('#delayed')], 'click');
    expect(await d.page('waitForSelector', '#late')).toBeNull();
    expect(await d.loc([step.text('getByText', 'Arrived late')], 'waitFor', { state: 'visible' })).toBeNull();
    expect(await d.page('waitForTimeout', 10)).toBeNull();
    await d.page('keyboard.press', 'Tab');
    await d.page('mouse.wheel', 0, 200);
  });

  test('the three-page form can be completed, with server-side validation errors shown', async ({
    open,
    sites,
  }) => {
    const d = await open();
    await d.goto('/form');
    await d.loc([step.text('getByLabel', 'Email')], 'fill', 'not-an-email');
    await d.loc([step.role('button', { name: 'Continue' })], 'click');
    expect(await d.loc([step.role('alert'), step.first()], 'innerText')).toContain('Please fix 2 errors');
    const fullName = `Tester ${Math.random().toString(36).slice(2, 8)}`;
    await d.loc([step.text('getByLabel', 'Full name')], 'fill', fullName);
    await d.loc([step.text('getByLabel', 'Email')], 'fill', 'tester@example.test');
    await d.loc([step.role('button', { name: 'Continue' })], 'click');
    await d.page('waitForURL', regex(/\/form\/company$/));
    await d.loc([step.text('getByLabel', 'Company name')], 'fill', 'Fixture Co');
    await d.loc([step.text('getByLabel', 'Your role')], 'selectOption', { label: 'Engineer' });
    await d.loc([step.role('checkbox', { name: 'Send me the newsletter' })], 'check');
    await d.loc([step.role('button', { name: 'Continue' })], 'click');
    await d.page('waitForURL', regex(/\/form\/review$/));
    await d.loc([step.role('checkbox')], 'check');
    await d.loc([step.role('button', { name: 'Submit application' })], 'click');
    await d.page('waitForURL', regex(/\/form\/confirmation/));
    const number = formConfirmationNumber({
      fullName,
      email: 'tester@example.test',
      phone: '',
      companyName: 'Fixture Co',
      role: 'Engineer',
      teamSize: '',
      newsletter: true,
    });
    expect(await d.loc([step.testId('confirmation-number')], 'textContent')).toBe(number);
    expect(sites.submissions.find((s) => s.fullName === fullName)?.confirmationNumber).toBe(number);
  });

  test('a JS-rendered list loads more items on click', async ({ open }) => {
    const d = await open();
    await d.goto('/infinite');
    await d.loc([step.css('li.item'), step.nth(19)], 'waitFor');
    await d.loc([step.role('button', { name: 'Load more' })], 'click');
    await d.loc([step.css('li.item'), step.nth(39)], 'waitFor');
    expect(await d.loc([step.css('li.item')], 'count')).toBe(40);
    expect(await d.loc([step.role('status')], 'textContent')).toBe('Showing 40 of 95 items');
  });
}
