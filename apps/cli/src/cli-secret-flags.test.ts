import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FixtureSites, fixtureOrders, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runBuiltCli, runInProcess } from './__fixtures__/run-cli.js';
import { type ServeProcess, startServe } from './__fixtures__/serve.js';

// A unique password with characters that URL- and form-encode differently.
const PASSWORD = `Pw ${randomUUID()}&+`;
const KEY = Buffer.alloc(32, 11).toString('base64');
const API_KEY = 'wt-test-key-secret-flags-0123';
const localDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-secret-flags-'));
const serverDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-secret-flags-server-'));
const files = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-secret-flags-files-'));

let sites: FixtureSites;
let server: ServeProcess | undefined;
let baseUrl = '';

const ordersSchema = {
  type: 'object',
  properties: { orders: { type: 'array', items: { type: 'string' } } },
  required: ['orders'],
};

/** Signs in to /account with `ctx.secrets.password` and lists the orders. */
const ordersCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account/login');
  await ctx.page.getByLabel('Username').fill('lin');
  await ctx.page.getByLabel('Password').fill(ctx.secrets.password);
  await ctx.page.getByRole('button', { name: 'Sign in' }).click();
  await ctx.page.waitForURL(/\\/account$/);
  return { orders: await ctx.page.locator('.order-id').allTextContents() };
}
`;

/** Reads the orders of a browser that is already signed in (an auth session). */
const signedInCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account');
  if (!(await ctx.page.url()).endsWith('/account')) throw new Error('not signed in');
  return { orders: await ctx.page.locator('.order-id').allTextContents() };
}
`;

/** The login bundle of a session: signs in, proves nothing else. */
const loginCode = (base: string) => ordersCode(base).replace(/return \{ orders[^\n]*/, 'return true;');

/** A check bundle: true when /account opens without a redirect to the login form. */
const checkCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account');
  return (await ctx.page.url()).endsWith('/account');
}
`;

/** Every file under `dir`, as latin1 text (enough to find an ASCII needle in any byte). */
function everyByte(dir: string): string {
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .map((file) => (statSync(file).isDirectory() ? everyByte(file) : readFileSync(file, 'latin1')))
    .join('\n');
}

const forms = (value: string) => [
  value,
  encodeURIComponent(value),
  new URLSearchParams({ v: value }).toString().slice(2),
  JSON.stringify(value).slice(1, -1),
];

function expectNoValue(text: string, where: string): void {
  for (const form of forms(PASSWORD)) expect(text.includes(form), `${where} holds the password`).toBe(false);
}

const importBundle = (reuseKey: string, file: string, schema: string, extra: string[]) =>
  runInProcess(['bundles', 'import', reuseKey, file, '--schema', schema, '--no-verify', ...extra], {
    cwd: files,
    env: cliEnv({ WEBTASKS_SECRETS_KEY: KEY }),
  });

beforeAll(async () => {
  sites = await startFixtureSites();
  sites.addAccount({ username: 'lin', password: PASSWORD });
  const base = sites.baseUrl;
  writeFileSync(path.join(files, 'orders.ts'), ordersCode(base));
  writeFileSync(path.join(files, 'signed-in.ts'), signedInCode(base));
  writeFileSync(path.join(files, 'login.ts'), loginCode(base));
  writeFileSync(path.join(files, 'check.ts'), checkCode(base));
  writeFileSync(path.join(files, 'orders.json'), JSON.stringify(ordersSchema));
  writeFileSync(path.join(files, 'boolean.json'), JSON.stringify({ type: 'boolean' }));
  for (const dir of [localDir, serverDir]) {
    const where = ['--data-dir', dir];
    for (const [key, file, schema] of [
      ['orders', 'orders.ts', 'orders.json'],
      ['signed-in', 'signed-in.ts', 'orders.json'],
      ['login:shop', 'login.ts', 'boolean.json'],
      ['check:shop', 'check.ts', 'boolean.json'],
    ] as const) {
      const workspace = dir === serverDir ? ['--workspace', 'acme'] : [];
      const imported = await importBundle(key, file, schema, [...where, ...workspace]);
      expect(imported.code, imported.stderr).toBe(0);
    }
  }
  server = await startServe({
    WEBTASKS_API_KEYS: `acme:${API_KEY}`,
    WEBTASKS_DATA_DIR: serverDir,
    WEBTASKS_SECRETS_KEY: KEY,
    WEBTASKS_EGRESS_ALLOW_HOSTS: new URL(sites.baseUrl).host,
    WEBTASKS_LOG_LEVEL: 'info',
  });
  baseUrl = server.baseUrl;
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await sites?.close();
  for (const dir of [localDir, serverDir, files]) rmSync(dir, { recursive: true, force: true });
});

const expectedOrders = () => fixtureOrders('lin').map((order) => order.id);

describe('webtasks run/start --secret and --auth-session', { timeout: 300_000 }, () => {
  it('refuses bad flags by naming the flag, never the value', async () => {
    const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
      runInProcess(args, { cwd: files, env: cliEnv(env) });
    for (const command of [['run'], ['start', '--base-url', 'http://127.0.0.1:9']]) {
      const run = (flags: string[], env?: Record<string, string | undefined>) =>
        cli([...command, 'List my orders', '--reuse-key', 'orders', ...flags], env);
      const noValue = await run(['--secret']);
      expect(noValue.code).toBe(2);
      expect(noValue.stderr).toContain('--secret');
      const noName = await run(['--secret', `=${PASSWORD}`]);
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('--secret needs a name');
      const badName = await run(['--secret', `my-password=${PASSWORD}`]);
      expect(badName.code).toBe(2);
      expect(badName.stderr).toContain('--secret "my-password"');
      const unset = await run(['--secret', 'SHOP_PASSWORD'], { SHOP_PASSWORD: undefined });
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain('environment variable SHOP_PASSWORD, which is not set');
      const twice = await run(['--secret', 'pw=abcd1', '--secret', 'pw=abcd2']);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('--secret pw is given twice');
      const badSession = await run(['--auth-session', 'my shop']);
      expect(badSession.code).toBe(2);
      expect(badSession.stderr).toContain('--auth-session "my shop"');
      for (const refused of [noName, badName, unset, twice, badSession])
        expectNoValue(refused.stdout + refused.stderr, command[0] as string);
    }
    const help = await cli(['run', '--help']);
    expect(help.stdout).toContain('--secret NAME=VALUE');
    expect(help.stdout).toContain('--auth-session NAME');
  });

  it('run: signs in on /account with a secret from a flag or the environment; no byte of the data dir holds it', async () => {
    const host = new URL(sites.baseUrl).host;
    const common = [
      'run',
      'List my orders',
      '--reuse-key',
      'orders',
      '--allow-host',
      host,
      '--data-dir',
      localDir,
    ];
    const byValue = await runBuiltCli([...common, '--secret', `password=${PASSWORD}`, '--json']);
    expect(byValue.code, byValue.stderr).toBe(0);
    expect(JSON.parse(byValue.stdout)).toMatchObject({
      outcome: 'success',
      result: { data: { orders: expectedOrders() } },
    });
    // The value comes from $password; with WEBTASKS_SECRETS_KEY it is sealed into the task record.
    const fromEnv = await runBuiltCli([...common, '--secret', 'password', '--verbose'], {
      env: { password: PASSWORD, WEBTASKS_SECRETS_KEY: KEY },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toContain(expectedOrders()[0]);
    // Without the secret the saved code is refused before it runs, naming it.
    const without = await runBuiltCli(common);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('"password" is not set');
    for (const [name, run] of Object.entries({ byValue, fromEnv, without }))
      expectNoValue(run.stdout + run.stderr, name);
    expect(sites.account.logins.filter((user) => user === 'lin').length).toBeGreaterThanOrEqual(2);
    expectNoValue(everyByte(localDir), 'the data dir');
  });

  it('run --auth-session: a session with a check bundle signs in with the flag secret and reuses the login', async () => {
    const host = new URL(sites.baseUrl).host;
    const env = { WEBTASKS_SECRETS_KEY: KEY, password: PASSWORD };
    const imported = await runBuiltCli(
      [
        'auth',
        'import',
        'shop',
        '--login-key',
        'login:shop',
        '--check-key',
        'check:shop',
        '--json',
        '--data-dir',
        localDir,
      ],
      { env },
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).login).toEqual({ reuseKey: 'login:shop', checkKey: 'check:shop' });
    const logins = () => sites.account.logins.filter((user) => user === 'lin').length;
    const before = logins();
    const args = [
      'run',
      'List my orders',
      '--reuse-key',
      'signed-in',
      '--auth-session',
      'shop',
      '--secret',
      'password',
      '--allow-host',
      host,
      '--data-dir',
      localDir,
      '--json',
    ];
    for (let run = 0; run < 2; run++) {
      const result = await runBuiltCli(args, { env });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).result.data.orders).toEqual(expectedOrders());
      expectNoValue(result.stdout + result.stderr, `run ${run}`);
    }
    // The first run signed in (the check bundle said false); the second reused the session.
    expect(logins()).toBe(before + 1);
    const mixed = await runInProcess(
      ['auth', 'import', 'x', '--login-key', 'a', '--check-key', 'b', '--check-url', 'https://x.test/'],
      { cwd: files, env: cliEnv(env) },
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('not both');
    expectNoValue(everyByte(localDir), 'the data dir');
  });

  it('start --base-url: the server gets the secret and the session; nothing prints or stores the value', async () => {
    const remote = ['--base-url', baseUrl, '--api-key', API_KEY, '--workspace', 'acme'];
    const env = { password: PASSWORD };
    const imported = await runBuiltCli(
      ['auth', 'import', 'shop', '--login-key', 'login:shop', '--check-key', 'check:shop', ...remote],
      { env },
    );
    expect(imported.code, imported.stderr).toBe(0);
    const withSecret = await runBuiltCli(
      [
        'start',
        'List my orders',
        '--reuse-key',
        'orders',
        '--secret',
        `password=${PASSWORD}`,
        '--wait',
        '120',
        '--json',
        ...remote,
      ],
      { env },
    );
    expect(withSecret.code, withSecret.stderr).toBe(0);
    expect(JSON.parse(withSecret.stdout)).toMatchObject({
      outcome: 'success',
      result: { data: { orders: expectedOrders() } },
    });
    const before = sites.account.logins.filter((user) => user === 'lin').length;
    const withSession = await runBuiltCli(
      [
        'start',
        'List my orders',
        '--reuse-key',
        'signed-in',
        '--auth-session',
        'shop',
        '--secret',
        'password',
        '--wait',
        '120',
        '--json',
        ...remote,
      ],
      { env },
    );
    expect(withSession.code, withSession.stderr).toBe(0);
    expect(JSON.parse(withSession.stdout)).toMatchObject({
      outcome: 'success',
      result: { data: { orders: expectedOrders() } },
    });
    expect(sites.account.logins.filter((user) => user === 'lin').length).toBe(before + 1);
    for (const [name, run] of Object.entries({ imported, withSecret, withSession }))
      expectNoValue(run.stdout + run.stderr, name);
    expectNoValue(server?.log() ?? '', 'the server log');
    expectNoValue(everyByte(serverDir), "the server's data dir");
  });
});
