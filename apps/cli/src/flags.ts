import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from './exit-codes.js';

/** Flags a command accepts, in `node:util` parseArgs form. */
export type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** Flags every command accepts. */
export const COMMON_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies FlagSpec;

/** Parsed flags and positionals of one command, with typed getters. */
export interface ParsedFlags {
  positionals: string[];
  string(name: string): string | undefined;
  boolean(name: string): boolean;
  list(name: string): string[];
}

/**
 * Parse a command's arguments strictly: unknown flags, missing values and stray
 * positionals become usage errors that name the command's help.
 */
export function parseFlags(
  args: string[],
  spec: FlagSpec,
  command: string,
  positionals: { max: number } = { max: 0 },
): ParsedFlags {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...COMMON_FLAGS, ...spec }, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(describeParseError(error), command);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (!values.help && parsed.positionals.length > positionals.max) {
    const extra = parsed.positionals.slice(positionals.max).map((p) => JSON.stringify(p));
    throw usageError(`Unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')}.`, command);
  }
  return {
    positionals: parsed.positionals,
    string: (name) => {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    },
    boolean: (name) => values[name] === true,
    list: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    },
  };
}

function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(text)?.[1] ?? text;
    return `Unknown flag ${flag}.`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(-[^' ]+)/.exec(text)?.[1];
    if (/argument missing/.test(text)) return `Flag ${flag ?? ''} needs a value.`;
    if (/does not take an argument/.test(text)) return `Flag ${flag ?? ''} takes no value.`;
  }
  return text;
}

/** Parse a JSON flag value; `what` names it in the error ("--params"). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(
      `${what} is not valid JSON (${(error as Error).message}). Quote it for your shell, e.g. ${what} '{"batch":"S24"}'.`,
    );
  }
}

/** `--params JSON` and `--param k=v …` merged into one object (`--param` wins). */
export function parseParameters(
  paramsJson: string | undefined,
  pairs: string[],
): Record<string, unknown> | undefined {
  let parameters: Record<string, unknown> | undefined;
  if (paramsJson !== undefined) {
    const value = parseJson(paramsJson, '--params');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw usageError('--params must be a JSON object, e.g. --params \'{"batch":"S24"}\'.');
    }
    parameters = { ...(value as Record<string, unknown>) };
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw usageError(`--param ${JSON.stringify(pair)} is not key=value, e.g. --param batch=S24.`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    parameters ??= {};
    parameters[key] = parseLooseValue(raw);
  }
  return parameters;
}

/** `5` → 5, `true` → true, `"x"` → "x", anything else stays a string. */
function parseLooseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Read a file named on the command line; a missing file is a usage error. */
export function readInputFile(file: string, cwd: string, what: string): string {
  try {
    return readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw usageError(`Cannot read ${what} ${JSON.stringify(file)}: ${reason}.`);
  }
}

/** `--schema` takes inline JSON (`{…}`) or a file of JSON. */
export function readSchema(value: string, cwd: string, flag = '--schema'): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed === 'true' || trimmed === 'false') {
    return parseJson(trimmed, flag);
  }
  return parseJson(readInputFile(value, cwd, 'the schema file'), `${flag} file ${JSON.stringify(value)}`);
}

/** A number flag: positive (or zero when `allowZero`), finite. */
export function parseNumber(
  value: string | undefined,
  flag: string,
  options: { integer?: boolean; allowZero?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  const valid =
    value.trim() !== '' &&
    Number.isFinite(number) &&
    (options.allowZero ? number >= 0 : number > 0) &&
    (!options.integer || Number.isInteger(number));
  if (!valid) {
    const kind = options.integer ? 'a whole number' : 'a number';
    throw usageError(
      `${flag} must be ${kind} ${options.allowZero ? '≥ 0' : '> 0'}, got ${JSON.stringify(value)}.`,
    );
  }
  return number;
}

/** A bundle version argument (1, 2, …). */
export function parseVersion(value: string | undefined, what: string, command: string): number {
  if (value === undefined) throw usageError(`Missing ${what}.`, command);
  const version = Number(value.replace(/^v/i, ''));
  if (!Number.isInteger(version) || version < 1) {
    throw usageError(
      `${what} must be a version number like 3 (or v3), got ${JSON.stringify(value)}.`,
      command,
    );
  }
  return version;
}

/** `host`, `host:port` or `*.host`: what the egress allow-list takes (`--allow-host`). */
export function checkAllowHost(host: string, command: string): string {
  if (!/^(\*\.)?[A-Za-z0-9._-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(host)) {
    throw usageError(
      `--allow-host takes a host or host:port like 127.0.0.1:8080 (no scheme, no path), got ${JSON.stringify(host)}.`,
      command,
    );
  }
  return host;
}
