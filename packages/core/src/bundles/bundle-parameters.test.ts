import { describe, expect, it } from 'vitest';
import {
  bundleParameters,
  describeParameters,
  parametersReadBySource,
  paramsArgument,
} from './bundle-parameters.js';

describe('the parameters a bundle reads', () => {
  it('finds dotted, optional, bracketed and destructured reads, and skips comments', () => {
    const source = `export default async function run(ctx) {
  const url = String(ctx.params.catalogueUrl ?? '');
  const batch = ctx.params?.batch;
  const region = ctx.params['region-code'];
  const { limit, sort: order, ...rest } = ctx.params;
  // ctx.params.commentedOut
  /* ctx.params.alsoCommented */
  await ctx.page.goto('https://example.test/a//b');
  return { url, batch, region, limit, order, rest };
}`;
    expect(parametersReadBySource(source)).toEqual(['catalogueUrl', 'batch', 'region-code', 'limit', 'sort']);
  });

  it('merges the parameter schema (type, required, default) and the last run as an example', () => {
    const parameters = bundleParameters({
      source: 'export default async (ctx) => ctx.params.url + ctx.params.page',
      paramsSchema: {
        type: 'object',
        required: ['url'],
        properties: { url: { type: 'string' }, lang: { type: 'string', default: 'en' } },
      },
      stats: {
        runs: 1,
        rowCounts: [],
        filledRuns: {},
        samples: [
          {
            params: { url: 'http://127.0.0.1:8080/' },
            stats: { runs: 1, rowCounts: [], filledRuns: {} },
            at: '',
          },
        ],
      },
    });
    expect(parameters).toEqual([
      { name: 'url', type: 'string', required: true, example: 'http://127.0.0.1:8080/' },
      { name: 'page', required: false },
      { name: 'lang', type: 'string', required: false, default: 'en' },
    ]);
    expect(describeParameters(parameters)).toEqual([
      'url (string, required) — e.g. "http://127.0.0.1:8080/"',
      'page',
      'lang (string, default "en")',
    ]);
    expect(paramsArgument(parameters)).toBe(
      ` --params '{"url":"http://127.0.0.1:8080/","page":"<value>","lang":"en"}'`,
    );
    expect(paramsArgument([])).toBe('');
  });
});
