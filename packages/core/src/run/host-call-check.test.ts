import { describe, expect, it } from 'vitest';
import { checkHostCall } from './host-call-check.js';

const valid = [
  { kind: 'page', command: { target: 'page', op: 'goto', args: ['https://example.test/'] } },
  {
    kind: 'page',
    command: {
      target: 'locator',
      op: 'click',
      locator: [
        { kind: 'locator', selector: 'tr' },
        { kind: 'filter', has: [{ kind: 'getByText', text: 'x' }] },
        { kind: 'nth', index: 0 },
      ],
      args: [],
    },
  },
  { kind: 'files.download', trigger: { kind: 'url', url: '/a.pdf' }, name: 'a.pdf' },
  { kind: 'files.download', trigger: { kind: 'click', locator: [{ kind: 'getByRole', role: 'link' }] } },
  { kind: 'ai.extract', input: 'x', schema: { type: 'object' }, instructions: 'y' },
  { kind: 'ai.classify', input: 'x', labels: ['a', 'b'] },
];

const malformed: unknown[] = [
  'not a call at all',
  null,
  [],
  { kind: 'shell', command: 'id' },
  { kind: 'page', command: { target: 'page', op: 'exposeFunction', args: [] } },
  { kind: 'page', command: { target: 'page', op: 'goto' } },
  { kind: 'page', command: { target: 'context', op: 'goto', args: [] } },
  { kind: 'page', command: { target: 'locator', op: 'click', locator: [], args: [] } },
  { kind: 'page', command: { target: 'locator', op: 'click', locator: [{ kind: 'xpath' }], args: [] } },
  {
    kind: 'page',
    command: { target: 'locator', op: 'click', locator: [{ kind: 'nth', index: 'x' }], args: [] },
  },
  {
    kind: 'page',
    command: { target: 'locator', op: 'setInputFiles', locator: [{ kind: 'first' }], args: [] },
  },
  { kind: 'files.download', trigger: { kind: 'url', url: 5 } },
  { kind: 'files.download', trigger: { kind: 'url', url: '/x' }, name: {} },
  { kind: 'ai.extract', input: 'x', schema: 'string' },
  { kind: 'ai.classify', input: 'x', labels: [] },
  { kind: 'ai.classify', input: 'x', labels: ['a'], instructions: 1 },
];

describe('checkHostCall', () => {
  it('accepts every kind of well-formed call', () => {
    for (const call of valid) expect(checkHostCall(JSON.parse(JSON.stringify(call)))).toEqual(call);
  });

  it('rejects malformed calls with invalid-request and a message naming the problem', () => {
    for (const call of malformed) {
      expect(() => checkHostCall(call), JSON.stringify(call)).toThrowError(
        expect.objectContaining({
          code: 'invalid-request',
          message: expect.stringMatching(/^Invalid call from the code: /),
        }),
      );
    }
  });

  it('rejects chains nested too deep', () => {
    let chain: unknown[] = [{ kind: 'first' }];
    for (let i = 0; i < 20; i++) chain = [{ kind: 'filter', has: chain }];
    const call = { kind: 'page', command: { target: 'locator', op: 'click', locator: chain, args: [] } };
    expect(() => checkHostCall(call)).toThrowError(/Invalid call from the code/);
  });
});
