import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, runInProcess } from './__fixtures__/run-cli.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-auth-'));
const files = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-auth-files-'));
afterAll(() => {
  for (const dir of [dataDir, files]) rmSync(dir, { recursive: true, force: true });
});

const VALUE = `s-${randomUUID()}`;
const COOKIE = `c-${randomUUID()}`;
const env = {
  ...cliEnv(),
  WEBTASKS_SECRETS_KEY: Buffer.alloc(32, 5).toString('base64'),
  SHOP_PASSWORD: VALUE,
};
const cli = (args: string[], withEnv: NodeJS.ProcessEnv = env) =>
  runInProcess([...args, '--data-dir', dataDir], { cwd: files, env: withEnv });

function everyByte(dir: string): string {
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .map((file) => (statSync(file).isDirectory() ? everyByte(file) : readFileSync(file, 'latin1')))
    .join('\n');
}

// The first command loads the CLI's modules: slow on a loaded machine.
describe('webtasks secrets and auth', { timeout: 180_000 }, () => {
  it('stores a secret from the environment, lists it by name, and keeps only ciphertext on disk', async () => {
    const set = await cli(['secrets', 'set', 'shop_password', '--from-env', 'SHOP_PASSWORD']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('ctx.secrets.shop_password');
    const listed = await cli(['secrets', 'list', '--json']);
    expect(JSON.parse(listed.stdout).secrets.map((s: { name: string }) => s.name)).toEqual(['shop_password']);
    expect(everyByte(dataDir)).not.toContain(VALUE);
  });

  it('imports a storage state; a malformed one is refused with the JSON path', async () => {
    const cookie = {
      name: 'sid',
      value: COOKIE,
      domain: 'shop.test',
      path: '/',
      expires: -1,
      httpOnly: true,
      secure: true,
    };
    writeFileSync(
      path.join(files, 'state.json'),
      JSON.stringify({ cookies: [{ ...cookie, sameSite: 'Lax' }], origins: [] }),
    );
    writeFileSync(
      path.join(files, 'bad.json'),
      JSON.stringify({ cookies: [{ ...cookie, expires: 'soon', sameSite: 'Lax' }], origins: [] }),
    );
    const imported = await cli(['auth', 'import', 'shop', 'state.json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('1 cookies');
    const bad = await cli(['auth', 'import', 'shop2', 'bad.json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('at cookies.0.expires');
    const listed = await cli(['auth', 'list', '--json']);
    expect(JSON.parse(listed.stdout).sessions).toEqual([
      { name: 'shop', updatedAt: expect.any(String), cookieCount: 1, origins: [] },
    ]);
    expect(everyByte(dataDir)).not.toContain(COOKIE);
    const withLogin = await cli([
      'auth',
      'import',
      'crm',
      '--login-key',
      'login:crm',
      '--check-url',
      'https://crm.test/home',
      '--json',
    ]);
    expect(withLogin.code, withLogin.stderr).toBe(0);
    expect(JSON.parse(withLogin.stdout)).toMatchObject({
      name: 'crm',
      cookieCount: 0,
      login: { reuseKey: 'login:crm' },
    });
    expect((await cli(['auth', 'import', 'crm', '--login-key', 'login:crm'])).code).toBe(2);
  });

  it('refuses without WEBTASKS_SECRETS_KEY, naming it, and never takes a value as an argument', async () => {
    const { WEBTASKS_SECRETS_KEY: _key, ...noKey } = env;
    const refused = await cli(['secrets', 'set', 'other', '--from-env', 'SHOP_PASSWORD'], noKey);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('WEBTASKS_SECRETS_KEY');
    const positional = await cli(['secrets', 'set', 'other', VALUE]);
    expect(positional.code).toBe(2);
  });
});
