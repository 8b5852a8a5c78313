import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AuthSessionAdmin,
  createAuthSessions,
  createWorkspaceSecrets,
  parseSealingKey,
  type SecretAdmin,
  systemClock,
  WebTasksError,
} from '@webtasks/core';
import { createFsSecretStore } from '@webtasks/store-fs';
import { type CliContext, printJson } from '../context.js';
import { resolveDataDir } from '../embedded.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { type FlagSpec, type ParsedFlags, parseFlags } from '../flags.js';
import { AUTH_HELP, SECRETS_HELP } from '../help.js';
import { serverClient } from './server-client.js';

const FLAGS = {
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  'from-file': { type: 'string' },
  'from-env': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'login-key': { type: 'string' },
  'check-url': { type: 'string' },
  'check-selector': { type: 'string' },
  'check-key': { type: 'string' },
} as const satisfies FlagSpec;

interface Admins {
  secrets: Pick<SecretAdmin, 'set' | 'list' | 'delete'>;
  sessions: AuthSessionAdmin;
  workspaceId: string;
  where: string;
}

/** Local (data dir, WEBTASKS_SECRETS_KEY) or a server (--base-url): the same three verbs. */
async function admins(flags: ParsedFlags, ctx: CliContext, command: string): Promise<Admins> {
  if (flags.string('base-url') !== undefined) {
    const client = await serverClient(flags, ctx, command);
    const workspaceId = flags.string('workspace') ?? ctx.env.WEBTASKS_WORKSPACE_ID ?? '';
    return {
      workspaceId,
      where: flags.string('base-url') as string,
      secrets: {
        set: ({ name, value }) => client.secrets.set(name, value),
        list: () => client.secrets.list(),
        delete: async ({ name }) => {
          await client.secrets.delete(name);
          return true;
        },
      },
      sessions: {
        import: ({ name, state, login }) =>
          client.authSessions.import(
            name,
            login ? { ...(state !== undefined ? { storageState: state } : {}), login } : state,
          ),
        list: () => client.authSessions.list(),
        delete: async ({ name }) => {
          await client.authSessions.delete(name);
          return true;
        },
      },
    };
  }
  const dataDir = resolveDataDir(flags.string('data-dir'), ctx.env, ctx.cwd);
  const keyText = ctx.env.WEBTASKS_SECRETS_KEY;
  const key = keyText ? parseSealingKey(keyText, 'WEBTASKS_SECRETS_KEY') : undefined;
  const options = {
    store: createFsSecretStore({ directory: dataDir }),
    ...(key ? { key } : {}),
    clock: systemClock,
    keySetting: 'WEBTASKS_SECRETS_KEY',
  };
  return {
    workspaceId: flags.string('workspace') ?? 'local',
    where: dataDir,
    secrets: createWorkspaceSecrets(options),
    sessions: createAuthSessions(options),
  };
}

function readJsonFile(file: string, ctx: CliContext): unknown {
  const target = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read ${file}: ${(error as Error).message}`, 'auth');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${file} is not JSON: ${(error as Error).message}`, 'auth');
  }
}

async function failures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (WebTasksError.hasCode(error, 'invalid-config')) throw new CliError(error.message, EXIT.usage);
    if (WebTasksError.hasCode(error, 'invalid-request'))
      throw new CliError(`Refused: ${error.message}`, EXIT.failed);
    const { clientFailure } = await import('./remote.js');
    throw clientFailure(error) ?? error;
  }
}

function help(args: string[], ctx: CliContext, text: string): number | undefined {
  const [name] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(`${text}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  return undefined;
}

/** `webtasks auth import NAME state.json | list | delete NAME --yes`. */
export async function authCommand(args: string[], ctx: CliContext): Promise<number> {
  const shown = help(args, ctx, AUTH_HELP);
  if (shown !== undefined) return shown;
  const [verb, ...rest] = args;
  const flags = parseFlags(rest, FLAGS, 'auth', { max: 2 });
  const json = flags.boolean('json');
  const [name, file] = flags.positionals;
  const { sessions, workspaceId, where } = await admins(flags, ctx, 'auth');
  return failures(async () => {
    if (verb === 'import') {
      const loginKey = flags.string('login-key');
      const checkUrl = flags.string('check-url');
      const checkKey = flags.string('check-key');
      const selector = flags.string('check-selector');
      if (!name || (!file && !loginKey))
        throw usageError(
          'Usage: webtasks auth import NAME [state.json] [--login-key KEY (--check-url URL | --check-key KEY)]',
          'auth',
        );
      if (checkUrl !== undefined && checkKey !== undefined)
        throw usageError(
          'Give one check: --check-url URL (a page only a signed-in user sees) or --check-key KEY (a check bundle), not both.',
          'auth',
        );
      if (selector !== undefined && checkUrl === undefined)
        throw usageError('--check-selector goes with --check-url.', 'auth');
      const check = checkKey !== undefined ? { reuseKey: checkKey } : checkUrl;
      if ((loginKey === undefined) !== (check === undefined))
        throw usageError(
          '--login-key goes with --check-url or --check-key: the login bundle and what proves the session works.',
          'auth',
        );
      const login =
        loginKey && check !== undefined
          ? {
              reuseKey: loginKey,
              check: typeof check === 'string' ? { url: check, ...(selector ? { selector } : {}) } : check,
            }
          : undefined;
      const summary = await sessions.import({
        workspaceId,
        name,
        ...(file ? { state: readJsonFile(file, ctx) } : {}),
        ...(login ? { login } : {}),
      });
      if (json) printJson(ctx, summary);
      else
        ctx.stdout.write(
          `imported auth session ${name} (${summary.cookieCount} cookies) into ${where}; use it with "auth": {"session": "${name}"}\n`,
        );
      return EXIT.ok;
    }
    if (verb === 'list') {
      const list = await sessions.list({ workspaceId });
      if (json) printJson(ctx, { sessions: list });
      else for (const s of list) ctx.stdout.write(`${s.name}\t${s.cookieCount} cookies\t${s.updatedAt}\n`);
      return EXIT.ok;
    }
    if (verb === 'delete') {
      if (!name) throw usageError('Usage: webtasks auth delete NAME --yes', 'auth');
      if (!flags.boolean('yes')) throw usageError(`Pass --yes to delete the auth session "${name}".`, 'auth');
      if (!(await sessions.delete({ workspaceId, name })))
        throw new CliError(`No auth session "${name}" in ${where}.`, EXIT.notFound);
      if (json) printJson(ctx, { name, deleted: true });
      else ctx.stdout.write(`deleted auth session ${name}\n`);
      return EXIT.ok;
    }
    throw usageError(`Unknown auth subcommand "${verb}"; use import, list or delete.`, 'auth');
  });
}

/** `webtasks secrets set NAME --from-file F | --from-env VAR`, `list`, `delete NAME --yes`. */
export async function secretsCommand(args: string[], ctx: CliContext): Promise<number> {
  const shown = help(args, ctx, SECRETS_HELP);
  if (shown !== undefined) return shown;
  const [verb, ...rest] = args;
  const flags = parseFlags(rest, FLAGS, 'secrets', { max: 1 });
  const json = flags.boolean('json');
  const [name] = flags.positionals;
  const { secrets, workspaceId, where } = await admins(flags, ctx, 'secrets');
  return failures(async () => {
    if (verb === 'set') {
      if (!name)
        throw usageError('Usage: webtasks secrets set NAME --from-file FILE (or --from-env VAR)', 'secrets');
      const file = flags.string('from-file');
      const variable = flags.string('from-env');
      // Never from an argument: it would stay in the shell history and the process list.
      const value =
        file !== undefined
          ? readFileSync(path.resolve(ctx.cwd, file), 'utf8').replace(/\r?\n$/, '')
          : variable !== undefined
            ? ctx.env[variable]
            : undefined;
      if (value === undefined)
        throw usageError(
          'Give the value with --from-file FILE or --from-env VAR (never on the command line).',
          'secrets',
        );
      const info = await secrets.set({ workspaceId, name, value });
      if (json) printJson(ctx, info);
      else ctx.stdout.write(`stored secret ${name} in ${where}; code reads it as ctx.secrets.${name}\n`);
      return EXIT.ok;
    }
    if (verb === 'list') {
      const list = await secrets.list({ workspaceId });
      if (json) printJson(ctx, { secrets: list });
      else for (const s of list) ctx.stdout.write(`${s.name}\t${s.updatedAt}\n`);
      return EXIT.ok;
    }
    if (verb === 'delete') {
      if (!name) throw usageError('Usage: webtasks secrets delete NAME --yes', 'secrets');
      if (!flags.boolean('yes')) throw usageError(`Pass --yes to delete the secret "${name}".`, 'secrets');
      if (!(await secrets.delete({ workspaceId, name })))
        throw new CliError(`No secret "${name}" in ${where}.`, EXIT.notFound);
      if (json) printJson(ctx, { name, deleted: true });
      else ctx.stdout.write(`deleted secret ${name}\n`);
      return EXIT.ok;
    }
    throw usageError(`Unknown secrets subcommand "${verb}"; use set, list or delete.`, 'secrets');
  });
}
