import { describe, expect, it } from 'vitest';
import { checkJsonSchema, MAX_OUTPUT_SCHEMA_DEPTH } from './json-schema.js';
import { maskProxyUrl, proxySettingsFromUrl, StartRequestSchema } from './request.js';
import { WebTaskResultSchema } from './result.js';

const issues = (value: unknown) => {
  const parsed = StartRequestSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('start request', () => {
  it('accepts a full request and a minimal one', () => {
    expect(
      issues({
        task: 'Scrape companies',
        startUrl: 'https://example.test/companies',
        parameters: { batch: 'S24' },
        outputSchema: { type: 'array', items: { type: 'object' } },
        reuseKey: 'yc_companies:v1.2-x',
        model: 'sonnet',
        sideEffects: true,
      }),
    ).toEqual([]);
    expect(issues({ task: 'x' })).toEqual([]);
  });

  it.each([
    [{}, /task: task is required/],
    [{ task: '' }, /task: task must not be empty/],
    [{ task: 'x'.repeat(10_001) }, /task: task is longer than 10000 characters/],
    [{ task: 'x', startUrl: 'ftp://example.test' }, /startUrl: startUrl must be an absolute http/],
    [{ task: 'x', startUrl: '/relative' }, /startUrl/],
    [{ task: 'x', parameters: [1] }, /parameters/],
    [{ task: 'x', reuseKey: '' }, /reuseKey must be 1\.\.128 characters/],
    [{ task: 'x', reuseKey: 'a'.repeat(129) }, /reuseKey/],
    [{ task: 'x', reuseKey: 'has space' }, /reuseKey/],
    [{ task: 'x', reuseKey: '../etc' }, /reuseKey/],
    [{ task: 'x', model: 'gpt-5' }, /model: model must be one of haiku, sonnet, opus/],
    [{ task: 'x', sideEffects: 'yes' }, /sideEffects/],
    [{ task: 'x', unknown: 1 }, /unknown|Unrecognized/i],
  ])('rejects %#', (value, message) => {
    expect(issues(value).join('\n')).toMatch(message);
  });

  it('rejects an invalid output schema with Ajv’s message', () => {
    const found = issues({ task: 'x', outputSchema: { type: 'array', minItems: -1 } }).join('\n');
    expect(found).toMatch(
      /outputSchema: outputSchema is not a valid JSON Schema 2020-12: .*minItems must be >= 0/,
    );
    expect(issues({ task: 'x', outputSchema: { $ref: '#/$defs/missing' } }).join('\n')).toMatch(
      /can't resolve reference/,
    );
    expect(issues({ task: 'x', outputSchema: 'array' }).join('\n')).toMatch(/must be an object/);
  });

  it('refuses output schemas too large to compile cheaply, without compiling them', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < MAX_OUTPUT_SCHEMA_DEPTH + 5; i += 1)
      deep = { type: 'object', properties: { a: deep } };
    expect(checkJsonSchema(deep)).toEqual({
      ok: false,
      message: expect.stringContaining('nested deeper than 32 levels'),
    });
    const wide = {
      type: 'object',
      properties: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`f${i}`, { type: 'string' }])),
    };
    expect(checkJsonSchema(wide)).toEqual({
      ok: false,
      message: expect.stringContaining('more than 1000 objects'),
    });
  });
});

describe('result object', () => {
  const reuse = { key: 'k', used: false, created: false, updated: false };
  const cost = { aiUsd: 0.42, compute: { unit: 'hours', amount: 0.023 } };
  it.each<[string, unknown]>([
    ['pending', { webTaskId: 'wt_1', status: 'pending', reuse }],
    ['started', { webTaskId: 'wt_1', status: 'started', reuse }],
    [
      'inline success',
      {
        webTaskId: 'wt_1',
        status: 'completed',
        outcome: 'success',
        result: { type: 'inline', data: [1] },
        reuse,
        cost,
      },
    ],
    [
      'file success with preview',
      {
        webTaskId: 'wt_1',
        status: 'completed',
        outcome: 'success',
        result: {
          type: 'file',
          file: {
            url: 'https://x/y',
            contentType: 'application/json',
            sizeBytes: 10,
            expiresAt: '2026-12-06T00:00:00.000Z',
          },
          preview: { rowCount: 1234, sample: [{ a: 1 }] },
        },
        reuse,
        cost,
      },
    ],
    ...[
      'workspace-rate-limited',
      'unauthenticated',
      'no-ai-credits-left',
      'timeout',
      'rejected',
      'internal-error',
    ].map((code): [string, unknown] => [
      `failed ${code}`,
      {
        webTaskId: 'wt_1',
        status: 'completed',
        outcome: 'failed',
        error: { code, message: 'm' },
        reuse,
        cost,
      },
    ]),
  ])('accepts %s', (_name, value) => {
    expect(WebTaskResultSchema.safeParse(value).success).toBe(true);
  });

  it('refuses a completed result without an outcome and an unknown error code', () => {
    expect(WebTaskResultSchema.safeParse({ webTaskId: 'wt', status: 'completed', reuse, cost }).success).toBe(
      false,
    );
    expect(
      WebTaskResultSchema.safeParse({
        webTaskId: 'wt',
        status: 'completed',
        outcome: 'failed',
        error: { code: 'oops', message: 'm' },
        reuse,
        cost,
      }).success,
    ).toBe(false);
  });
});

describe('the proxy field', () => {
  const base = { task: 'read the page' };
  it('accepts http, https and socks5 proxies, with or without credentials', () => {
    for (const server of ['http://proxy.example:3128', 'https://proxy.example', 'socks5://10.0.0.5:1080']) {
      expect(StartRequestSchema.safeParse({ ...base, proxy: { server } }).success, server).toBe(true);
    }
    expect(
      StartRequestSchema.safeParse({
        ...base,
        proxy: { server: 'http://proxy.example:3128', username: 'ann', password: 's3cret' },
      }).success,
    ).toBe(true);
  });

  it('rejects malformed proxies with a message that says what to fix and never quotes the password', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ server: 'not a url' }, /proxy.server must be a URL/],
      [{ server: 'ftp://proxy.example:21' }, /use http:\/\/, https:\/\/ or socks5:\/\//],
      [{ server: 'http://ann:s3cret@proxy.example:3128' }, /pass them as proxy.username and proxy.password/],
      [{ server: 'http://proxy.example:3128/path' }, /only scheme, host and port/],
      [{ server: 'http://proxy.example:3128', password: 's3cret' }, /proxy.password needs proxy.username/],
      [{ server: 'http://proxy.example:3128', extra: 1 }, /extra|Unrecognized/i],
      [{}, /proxy.server is required/],
    ];
    for (const [proxy, message] of cases) {
      const parsed = StartRequestSchema.safeParse({ ...base, proxy });
      expect(parsed.success, JSON.stringify(proxy)).toBe(false);
      const text = parsed.success ? '' : parsed.error.issues.map((i) => i.message).join('\n');
      expect(text).toMatch(message);
      expect(text).not.toContain('s3cret');
    }
  });

  it('splits a proxy URL with credentials into the request field, and masks it for display', () => {
    const settings = proxySettingsFromUrl('http://ann:p%40ss@proxy.example:3128');
    expect(settings).toEqual({ server: 'http://proxy.example:3128', username: 'ann', password: 'p@ss' });
    expect(maskProxyUrl(settings)).toBe('http://ann:***@proxy.example:3128');
    expect(proxySettingsFromUrl('socks5://proxy.example:1080')).toEqual({
      server: 'socks5://proxy.example:1080',
    });
  });
});
