import { describe, expect, it } from 'vitest';
import { type AriaNode, renderSnapshot } from './render-snapshot.js';

const card = (i: number): AriaNode => ({
  role: 'listitem',
  ref: `e${100 + i}`,
  children: [
    {
      role: 'link',
      name: `Company ${i}`,
      ref: `e${1000 + i}`,
      url: `https://site.test/c/${i}`,
      cursor: 'pointer',
    },
    { role: 'generic', children: [`Batch ${i}`] },
  ],
});

describe('renderSnapshot', () => {
  it('collapses a long run of similar siblings to the first ones, a count line and the last one', () => {
    const tree: AriaNode[] = [
      { role: 'list', ref: 'e1', children: Array.from({ length: 300 }, (_, i) => card(i)) },
    ];
    const text = renderSnapshot(tree, { maxItemsPerList: 4, origin: 'https://site.test' });
    expect(text).toContain('link "Company 0" [ref=e1000] -> /c/0');
    expect(text).toContain('link "Company 2"');
    expect(text).not.toContain('link "Company 3"');
    expect(text).toContain('… 296 more similar items (listitem) …');
    expect(text).toContain('link "Company 299" [ref=e1299]');
    expect(text.split('\n').length).toBeLessThan(20);
  });

  it('lists the names of a short collapsed run so each link stays findable', () => {
    const links: AriaNode[] = Array.from({ length: 9 }, (_, i) => ({
      role: 'link',
      name: String(i + 1),
      ref: `e${i}`,
      url: `/p/${i + 1}`,
    }));
    const text = renderSnapshot([{ role: 'navigation', name: 'Pages', children: links }], {
      maxItemsPerList: 4,
    });
    expect(text).toContain('… 5 more similar items (link): "4", "5", "6", "7", "8" …');
    expect(text).toContain('link "9" [ref=e8]');
  });

  it('flattens unnamed wrappers, drops labels that repeat a control name and shows form state', () => {
    const tree: AriaNode[] = [
      {
        role: 'generic',
        children: [
          {
            role: 'generic',
            children: [
              'Email',
              { role: 'textbox', name: 'Email', ref: 'e2', text: 'a@b.test', invalid: true },
            ],
          },
          { role: 'checkbox', name: 'Agree', checked: true, ref: 'e3' },
          'Agree',
          {
            role: 'combobox',
            name: 'Plan',
            ref: 'e4',
            children: [
              { role: 'option', name: 'Free' },
              { role: 'option', name: 'Pro', selected: true },
            ],
          },
          { role: 'button', name: 'Send', disabled: true, ref: 'e5' },
        ],
      },
    ];
    const text = renderSnapshot(tree, { maxItemsPerList: 4, requiredRefs: new Set(['e2']) });
    expect(text).toBe(
      [
        '- textbox "Email" [invalid] [required] [ref=e2] value="a@b.test"',
        '- checkbox "Agree" [checked] [ref=e3]',
        '- combobox "Plan" [ref=e4] value="Pro" options=[Free | Pro]',
        '- button "Send" [disabled] [ref=e5]',
      ].join('\n'),
    );
  });

  it('writes table rows on one line and cuts at maxBytes', () => {
    const rows: AriaNode[] = Array.from({ length: 3 }, (_, r) => ({
      role: 'row',
      children: Array.from({ length: 3 }, (_, c) => ({ role: 'cell', name: `r${r}c${c}` })),
    }));
    expect(renderSnapshot([{ role: 'table', ref: 't', children: rows }], { maxItemsPerList: 10 })).toContain(
      '- row: r1c0 | r1c1 | r1c2',
    );
    const long = renderSnapshot(
      [{ role: 'list', children: Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(50)}`) }],
      {
        maxItemsPerList: 1000,
        maxBytes: 500,
      },
    );
    expect(Buffer.byteLength(long)).toBeLessThan(600);
    expect(long).toContain('snapshot cut at 500 bytes');
  });
});
