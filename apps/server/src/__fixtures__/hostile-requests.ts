import type { InjectOptions } from 'fastify';
import { WORKSPACES } from './harness.js';

/** A small seeded PRNG (mulberry32), so a failing fuzz case can be replayed. */
export function createRandom(seed: number): {
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
} {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

type Random = ReturnType<typeof createRandom>;

/** One generated request and the family it belongs to (for failure messages). */
export interface HostileRequest {
  family: string;
  request: InjectOptions;
}

const ODD_STRINGS = [
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '👩‍👩‍👧‍👦'.repeat(50),
  '\u202etxt.exe',
  'Ｔａｓｋ',
  '\u200b\u200b\u200b',
  '<script>alert(1)</script>',
  "'; DROP TABLE tasks; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose.
  '${7*7}{{7*7}}',
  '%00%2e%2e%2f',
  'e\u0301\u0301\u0301\u0301',
  '\r\nx-injected: 1',
];

/** Values of the wrong type for any string field. */
const NOT_STRINGS: unknown[] = [
  0,
  -1,
  1.5,
  true,
  false,
  null,
  [],
  ['x'],
  {},
  { task: 'x' },
  Number.MAX_SAFE_INTEGER,
];

/** Mutations of a start body; each one alone makes the body invalid. */
const BREAKING: ((body: Record<string, unknown>, random: Random) => void)[] = [
  (body, r) => {
    body.task = r.pick(NOT_STRINGS);
  },
  (body) => {
    body.task = '';
  },
  (body) => {
    body.task = 'x'.repeat(10_001);
  },
  (body) => {
    delete body.task;
  },
  (body, r) => {
    body.startUrl = r.pick([
      'javascript:alert(1)',
      'ftp://example.com',
      'not a url',
      '',
      'file:///etc/passwd',
      'http://',
      ...ODD_STRINGS,
    ]);
  },
  (body, r) => {
    body.startUrl = r.pick(NOT_STRINGS);
  },
  (body, r) => {
    body.parameters = r.pick([[], ['a'], 'batch=S24', 5, null, true]);
  },
  (body, r) => {
    body.outputSchema = r.pick<unknown>([
      { type: 'nope' },
      { type: 5 },
      { properties: 5 },
      { required: 'name' },
      { items: 3 },
      { enum: 5 },
      { minimum: 'ten' },
      { $ref: '#/$defs/missing' },
      { allOf: {} },
      { type: 'object', properties: { a: { type: ['string', 7] } } },
      5,
      'object',
      null,
      [],
    ]);
  },
  (body, r) => {
    body.reuseKey = r.pick<unknown>([
      '',
      'k'.repeat(129),
      'with space',
      'ü',
      '../x',
      'a/b',
      '\u0000',
      ...NOT_STRINGS,
    ]);
  },
  (body, r) => {
    body.model = r.pick<unknown>(['gpt-4', '', 'HAIKU', 'claude', ' haiku', ...NOT_STRINGS]);
  },
  (body, r) => {
    body[r.pick(['extra', 'webTaskId', 'status', '\u0000', 'constructor', 'toString', ''])] =
      r.pick(NOT_STRINGS);
  },
];

/** Noise that keeps a body valid on its own (odd unicode, deep nesting), mixed into broken bodies. */
const NOISE: ((body: Record<string, unknown>, random: Random) => void)[] = [
  (body, r) => {
    body.task = r.pick(ODD_STRINGS);
  },
  (body, r) => {
    let nested: unknown = 'leaf';
    const depth = 200 + r.int(2_000);
    for (let i = 0; i < depth; i += 1) nested = { a: nested };
    body.parameters = { nested };
  },
  (body, r) => {
    body.parameters = { [r.pick(ODD_STRINGS)]: r.pick(ODD_STRINGS) };
  },
  (body) => {
    let nested: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 300; i += 1) nested = { type: 'object', properties: { a: nested } };
    body.outputSchema = nested;
  },
];

function brokenBody(random: Random): Record<string, unknown> {
  const body: Record<string, unknown> = { task: 'Read the table', reuseKey: 'table_reader' };
  for (let i = random.int(2); i >= 0; i -= 1) random.pick(NOISE)(body, random);
  for (let i = random.int(3); i >= 0; i -= 1) random.pick(BREAKING)(body, random);
  return body;
}

const A = WORKSPACES.a;
const B = WORKSPACES.b;
const json = { 'x-api-key': A.apiKey, 'content-type': 'application/json' };

/** Percent-encode every UTF-8 byte (lone surrogates included, which encodeURIComponent refuses). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/**
 * Generate `count` hostile requests against a server holding `tasks.a` (a task of workspace A)
 * and `tasks.b` (one of workspace B). Every request is invalid in at least one way.
 */
export function generateHostileRequests(
  count: number,
  seed: number,
  tasks: { a: string; b: string },
  bodyLimitBytes: number,
): HostileRequest[] {
  const random = createRandom(seed);
  const startUrl = `/${A.workspaceId}/web-tasks/start`;
  const families: (() => HostileRequest)[] = [
    () => ({
      family: 'invalid body',
      request: { method: 'POST', url: startUrl, headers: json, payload: JSON.stringify(brokenBody(random)) },
    }),
    () => ({
      family: 'invalid body',
      request: { method: 'POST', url: startUrl, headers: json, payload: JSON.stringify(brokenBody(random)) },
    }),
    () => {
      const text = JSON.stringify({ task: 'Read the table', parameters: { a: random.pick(ODD_STRINGS) } });
      const raw = random.pick([
        text.slice(0, 1 + random.int(text.length - 1)),
        `${text}}`,
        text.replace(/"/g, "'"),
        '5',
        'null',
        '"task"',
        'true',
        '[{"task":"x"}]',
        deepArray(5_000 + random.int(50_000)),
        Buffer.from(Array.from({ length: 64 }, () => random.int(256))).toString('latin1'),
        '{"task":"x","task":',
        '\ufeff{"task": 1}',
      ]);
      return {
        family: 'malformed JSON',
        request: { method: 'POST', url: startUrl, headers: json, payload: raw },
      };
    },
    () => ({
      family: 'huge body',
      request: {
        method: 'POST',
        url: startUrl,
        headers: json,
        payload: JSON.stringify({
          task: 'x',
          parameters: { blob: 'z'.repeat(bodyLimitBytes + random.int(bodyLimitBytes)) },
        }),
      },
    }),
    () => ({
      family: 'wrong content-type',
      request: {
        method: 'POST',
        url: startUrl,
        headers: {
          'x-api-key': A.apiKey,
          'content-type': random.pick([
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'image/png',
            'text/json',
          ]),
        },
        payload: JSON.stringify({ task: 'Read the table' }),
      },
    }),
    () => {
      const key = random.pick<string | undefined>([
        undefined,
        '',
        'wrong',
        B.apiKey,
        `${A.apiKey} `,
        A.apiKey.toUpperCase(),
        'k'.repeat(5_000),
        `${A.apiKey}\u0000`,
      ]);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== undefined) headers['x-api-key'] = key;
      const target = random.pick([
        { method: 'POST' as const, url: startUrl, payload: JSON.stringify({ task: 'x' }) },
        { method: 'GET' as const, url: `/${A.workspaceId}/web-tasks/${tasks.a}/result` },
        { method: 'GET' as const, url: `/${A.workspaceId}/web-tasks/${tasks.a}/result?waitSeconds=5` },
      ]);
      return { family: 'missing or wrong key', request: { ...target, headers } };
    },
    () => {
      const id = random.pick([
        '..%2F..%2Fetc%2Fpasswd',
        '..',
        '.',
        '%2e%2e',
        'wt_x%00',
        percentEncode(random.pick(ODD_STRINGS)),
        'w'.repeat(129 + random.int(400)),
        'w'.repeat(600),
        '%',
        '%E0%A4%A',
        '%ff%fe',
        tasks.b,
        `${tasks.a}x`,
        tasks.a.toUpperCase(),
        'wt_does_not_exist',
      ]);
      return {
        family: 'hostile task id',
        request: {
          method: 'GET',
          url: `/${A.workspaceId}/web-tasks/${id}/result`,
          headers: { 'x-api-key': A.apiKey },
        },
      };
    },
    () => {
      const workspace = random.pick([
        B.workspaceId,
        '..',
        '%2e%2e',
        'ws_a%2F..',
        'WS_A',
        'ws_a ',
        percentEncode('ws_a\u0000'),
        'x'.repeat(300),
      ]);
      const url = random.pick([`/${workspace}/web-tasks/start`, `/${workspace}/web-tasks/${tasks.b}/result`]);
      return {
        family: 'other workspace',
        request: {
          method: url.endsWith('start') ? 'POST' : 'GET',
          url,
          headers: json,
          payload: url.endsWith('start') ? '{"task":"x"}' : undefined,
        },
      };
    },
    () => {
      const method = random.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'GET', 'POST'] as const);
      const url =
        method === 'GET'
          ? startUrl
          : method === 'POST'
            ? `/${A.workspaceId}/web-tasks/${tasks.a}/result`
            : random.pick([startUrl, `/${A.workspaceId}/web-tasks/${tasks.a}/result`]);
      return {
        family: 'wrong method',
        request: {
          method,
          url,
          headers: json,
          payload: method === 'GET' || method === 'OPTIONS' ? undefined : '{"task":"x"}',
        },
      };
    },
    () => {
      const query = random.pick([
        'waitSeconds=-1',
        'waitSeconds=abc',
        'waitSeconds=',
        'waitSeconds=1e9',
        'waitSeconds=NaN',
        'waitSeconds=1&waitSeconds=2',
        'waitSeconds[]=1',
        'waitSeconds[a]=1',
        `waitSeconds=${percentEncode(random.pick(ODD_STRINGS))}`,
        'waitSeconds=9999999',
        'waitSeconds=0.0001',
        'waitSeconds=%',
        'waitSeconds=1.5.5',
      ]);
      return {
        family: 'bad query',
        request: {
          method: 'GET',
          url: `/${A.workspaceId}/web-tasks/${tasks.a}/result?${query}`,
          headers: { 'x-api-key': A.apiKey },
        },
      };
    },
    () => {
      const path = random.pick([
        '/files/ws_a/x.csv',
        '/files/ws_b/x.csv?expires=9999999999&signature=abc',
        '/files/../../etc/passwd?expires=9999999999&signature=x',
        '/files/%2e%2e/%2e%2e/etc/passwd',
        '/files/',
        '/files/ws_a/x.csv?expires=-1&signature=',
        `/files/${percentEncode(random.pick(ODD_STRINGS))}?expires=1&signature=${random.int(1e9)}`,
        '/files/ws_a/x.csv?expires=1e99&signature=AAAA',
      ]);
      return { family: 'forged file URL', request: { method: 'GET', url: path } };
    },
  ];
  return Array.from({ length: count }, () => random.pick(families)());
}
