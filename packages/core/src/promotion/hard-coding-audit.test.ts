import { describe, expect, it } from 'vitest';
import { auditHardCoding } from './hard-coding-audit.js';
import { sourceLiterals } from './source-literals.js';

const program = (body: string) =>
  `import type { TaskContext } from 'webtasks:runtime';\nexport default async function run(ctx: TaskContext) {\n${body}\n}\n`;

describe('source literals', () => {
  it('reads strings, template parts and numbers; skips comments and regular expressions', () => {
    const literals = sourceLiterals(
      [
        "// 'in a comment'",
        'const a = \'single\' + "double";',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text under test
        'const t = `before ${ctx.params.x + `inner ${1}`} after`;',
        "/* 'block' */ const r = /it's/.test(a) ? 1500 : 0.25;",
        'const o = { k: 1 }; const d = a.length / 2 / 3;',
      ].join('\n'),
    );
    expect(literals.map((l) => [l.kind, l.text, l.line])).toEqual([
      ['string', 'single', 2],
      ['string', 'double', 2],
      ['string', 'before ', 3],
      ['string', 'inner ', 3],
      ['number', '1', 3],
      ['string', '', 3],
      ['string', ' after', 3],
      ['number', '1500', 4],
      ['number', '0.25', 4],
      ['number', '1', 5],
      ['number', '2', 5],
      ['number', '3', 5],
    ]);
  });
});

describe('hard-coding audit', () => {
  const rows = [
    {
      name: 'Acme Robotics',
      tagline: 'Warehouse robots that never sleep at all',
      source: 'YC directory listing page',
    },
    {
      name: 'Globex',
      tagline: 'Payments infrastructure for small clinics',
      source: 'YC directory listing page',
    },
  ];

  it('refuses a parameter value written into the program, with evidence the agent can act on', () => {
    const audit = auditHardCoding({
      source: program("  await ctx.page.goto('https://site.test/directory?batch=S24');\n  return [];"),
      params: { batch: 'S24' },
      output: [],
    });
    expect(audit.ok).toBe(false);
    expect(!audit.ok && audit.message).toContain(
      `line 3: the program contains "S24", the value of params.batch: read it from ctx.params.batch`,
    );
    const exact = auditHardCoding({
      source: program("  await ctx.page.getByLabel('Industry').selectOption('Fintech');"),
      params: { filters: { industry: 'Fintech' } },
      output: null,
    });
    expect(!exact.ok && exact.findings[0]).toMatchObject({
      from: 'params.filters.industry',
      value: 'Fintech',
    });
    const number = auditHardCoding({
      source: program('  const id = 48213;'),
      params: { id: 48213 },
      output: null,
    });
    expect(number.ok).toBe(false);
  });

  it('refuses long text copied from this run’s output, but not a label every row shares', () => {
    const copied = auditHardCoding({
      source: program(
        "  return [{ name: 'Acme Robotics', tagline: 'Warehouse robots that never sleep at all', source: 'YC directory listing page' }];",
      ),
      params: {},
      output: rows,
    });
    expect(copied.ok).toBe(false);
    expect(!copied.ok && copied.findings).toEqual([
      {
        kind: 'output',
        value: 'Warehouse robots that never sleep at all',
        from: 'output[0].tagline',
        line: 3,
      },
    ]);
    expect(!copied.ok && copied.message).toContain(
      "copied from this run's output[0].tagline: read it from the page",
    );
  });

  it('does not flag short, generic, round or caller-given values, or code that reads ctx.params', () => {
    const clean = program(
      [
        "  const batch = String(ctx.params.batch ?? '');",
        "  await ctx.page.goto('https://site.test/directory?batch=' + encodeURIComponent(batch));",
        "  await ctx.page.getByRole('link', { name: 'Next' }).click();",
        '  for (let i = 0; i < 500; i++) await ctx.page.waitForTimeout(5000);',
        "  return [{ source: 'YC directory listing page', lang: 'en' }];",
      ].join('\n'),
    );
    const params = { batch: 'S24', lang: 'en', direction: 'next', limit: 500, timeoutMs: 5000, all: true };
    expect(auditHardCoding({ source: clean, params, output: rows })).toEqual({ ok: true });
    // The value only appears as part of a longer word: not a finding.
    expect(
      auditHardCoding({
        source: program("  const css = '.companyS245x';"),
        params: { batch: 'S24' },
        output: null,
      }),
    ).toEqual({ ok: true });
    // Text the task itself gives is the task's constant, not copied output.
    const quoted = 'Please return the motto Warehouse robots that never sleep at all';
    expect(
      auditHardCoding({
        source: program("  return [{ motto: 'Warehouse robots that never sleep at all' }];"),
        params: {},
        output: [{ motto: 'Warehouse robots that never sleep at all' }],
        task: quoted,
      }),
    ).toEqual({ ok: true });
  });
});
