import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../defaults.js';
import type { SealedEntry, SecretStore } from '../ports/secret-store.js';
import { createAuthSessions } from './auth-sessions.js';
import { createSecretRedactor, isSessionCredential, MIN_SESSION_VALUE_LENGTH } from './redaction.js';
import { parseSealingKey } from './sealing.js';
import { redactTraceZip } from './secret-browser.js';

const KEY = parseSealingKey(Buffer.alloc(32, 3).toString('base64'), 'WEBTASKS_SECRETS_KEY');

/** The store is not under test here: a map keyed by workspace, kind and name. */
function mapStore(): SecretStore {
  const entries = new Map<string, SealedEntry>();
  const id = (workspaceId: string, kind: string, name: string) => `${workspaceId}\u0000${kind}\u0000${name}`;
  return {
    specificationVersion: 'v1',
    put: async ({ workspaceId, entry }) => {
      entries.set(id(workspaceId, entry.kind, entry.name), entry);
    },
    get: async ({ workspaceId, kind, name }) => entries.get(id(workspaceId, kind, name)),
    list: async ({ workspaceId, kind }) =>
      [...entries.entries()]
        .filter(([key]) => key.startsWith(`${workspaceId}\u0000${kind}\u0000`))
        .map(([, entry]) => entry),
    delete: async ({ workspaceId, kind, name }) => entries.delete(id(workspaceId, kind, name)),
  };
}

const state = (cookie: string, stored: string) => ({
  cookies: [
    {
      name: 'sid',
      value: cookie,
      domain: 'shop.test',
      path: '/',
      expires: -1,
      httpOnly: true,
      secure: true,
      sameSite: 'Lax' as const,
    },
    {
      name: 'lang',
      value: 'en',
      domain: 'shop.test',
      path: '/',
      expires: -1,
      httpOnly: false,
      secure: false,
      sameSite: 'Lax' as const,
    },
  ],
  origins: [{ origin: 'https://shop.test', localStorage: [{ name: 'token', value: stored }] }],
});

describe('auth session values', () => {
  it('are redacted as «session:name», with their encoded forms; short values stay', () => {
    const redactor = createSecretRedactor({ password: 'hunter2-pw' });
    redactor.addSessionValues('shop', state('sid-0123456789abcdef', 'ls token/with=chars'));
    expect(redactor.sessions).toEqual(['shop']);
    expect(redactor.names).toEqual(['password']);
    expect(redactor.redact('cookie sid-0123456789abcdef and hunter2-pw')).toBe(
      'cookie «session:shop» and «secret:password»',
    );
    expect(redactor.redact(`t=${encodeURIComponent('ls token/with=chars')}`)).toBe('t=«session:shop»');
    // "en" is shorter than the minimum: not a credential, and replacing it would shred text.
    expect('en'.length).toBeLessThan(MIN_SESSION_VALUE_LENGTH);
    expect(redactor.redact('lang en')).toBe('lang en');
    // Words and plain numbers are kept; ids mixing letters and digits, and anything long, are not.
    redactor.addSessionValues('shop', {
      cookies: [{ value: 'accepted' }, { value: '1733580000' }, { value: 'a1b2c3d4' }],
      origins: [{ localStorage: [{ value: 'onlylettersbutlong' }] }],
    });
    expect(redactor.redact('consent accepted at 1733580000')).toBe('consent accepted at 1733580000');
    expect(redactor.redact('id a1b2c3d4, onlylettersbutlong')).toBe('id «session:shop», «session:shop»');
    expect(isSessionCredential('accepted')).toBe(false);
    // Placeholders of sessions are never substituted back.
    expect(redactor.substitute('«session:shop»')).toBe('«session:shop»');
  });

  it('masks every cookie value in a trace network log, and values the redactor learned elsewhere', () => {
    const redactor = createSecretRedactor({});
    redactor.addSessionValues('shop', state('sid-first-value-0001', 'stored-token-0001'));
    const network = [
      {
        type: 'resource-snapshot',
        snapshot: {
          request: {
            url: 'https://shop.test/account',
            headers: [{ name: 'Cookie', value: 'sid=sid-first-value-0001; other=never-seen-before-1' }],
            cookies: [{ name: 'other', value: 'never-seen-before-1' }],
          },
          response: {
            headers: [{ name: 'set-cookie', value: 'sid=rolled-id-never-seen-2; Path=/; HttpOnly' }],
            cookies: [],
          },
        },
      },
    ];
    const trace = zipSync({
      'trace.network': strToU8(network.map((line) => JSON.stringify(line)).join('\n')),
      'trace.trace': strToU8('{"title":"stored-token-0001"}'),
      'resources/shot.jpeg': new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x80]),
    });
    const out = unzipSync(redactTraceZip(trace, redactor));
    const text = Object.values(out)
      .map((bytes) => Buffer.from(bytes).toString('utf8'))
      .join('\n');
    for (const value of [
      'sid-first-value-0001',
      'never-seen-before-1',
      'rolled-id-never-seen-2',
      'stored-token-0001',
    ])
      expect(text).not.toContain(value);
    const [line] = Buffer.from(out['trace.network'] as Uint8Array)
      .toString('utf8')
      .split('\n');
    const snapshot = JSON.parse(line as string).snapshot;
    expect(snapshot.request.headers[0].value).toBe('sid=«session:shop»; other=«session:shop»');
    expect(snapshot.response.headers[0].value).toBe('sid=«session:shop»; Path=/; HttpOnly');
    expect(out['resources/shot.jpeg']).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x80]));
  });
});

describe('auth session logins', () => {
  const sessions = () =>
    createAuthSessions({ store: mapStore(), key: KEY, clock: systemClock, keySetting: 'KEY' });

  it('take a check bundle instead of a check URL, and list its key', async () => {
    const admin = sessions();
    const summary = await admin.import({
      workspaceId: 'ws_a',
      name: 'erp',
      login: { reuseKey: 'login:erp', check: { reuseKey: 'check:erp' } },
    });
    expect(summary.login).toEqual({ reuseKey: 'login:erp', checkKey: 'check:erp' });
    expect(await admin.open({ workspaceId: 'ws_a', name: 'erp' })).toEqual({
      state: { cookies: [], origins: [] },
      login: { reuseKey: 'login:erp', check: { reuseKey: 'check:erp' } },
    });
    expect(await admin.open({ workspaceId: 'ws_b', name: 'erp' })).toBeUndefined();
  });

  it('refuse a check that is both, or neither', async () => {
    const admin = sessions();
    const login = (check: unknown) =>
      admin.import({
        workspaceId: 'ws_a',
        name: 'erp',
        login: { reuseKey: 'login:erp', check } as never,
      });
    await expect(login({ reuseKey: 'check:erp', url: 'https://erp.test/' })).rejects.toThrow(
      /either \{ url, selector\? \} or \{ reuseKey \}/,
    );
    await expect(login({ reuseKey: 'bad key' })).rejects.toThrow(/login\.check\.reuseKey/);
    await expect(login({})).rejects.toThrow(/login\.check\.url/);
  });
});
